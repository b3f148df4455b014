using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Warm start of the style composer M before a fresh lift (this project's addition; the official code starts M from
/// random weights): M(w, L, V) is fitted to w for truncated teacher styles w, by Adam (lr 1e-3) on the mean squared
/// error relative to the styles' variance. Half of each batch is canonical (L = [a, d, 0, 0], V = 0), half perturbed
/// as in training (L uniform in (−1, 1)⁴, V from <see cref="Perturbation"/>), so M starts by ignoring light and view:
/// the canonical image G(M(w, L0, 0)) is the teacher's own image and the perturbed styles are plausible ones, instead
/// of random styles that the style prior then pulls to one blurred mean face. Deterministic: batches come from a
/// generator seeded by the run seed.
/// </summary>
public static class ComposerWarmup
{
    public const int Batch = 64;
    public const double LearningRate = 1e-3;

    /// <summary>Runs <paramref name="steps"/> fitting steps; returns the relative error of the last step (both halves).</summary>
    public static double Run(LiftedGenerator model, StyleStatistics statistics, int steps, long seed)
    {
        if (steps < 1) throw new ArgumentException($"composer warm start: {steps} steps; must be at least 1");
        var c = model.Config;
        var composer = model.Composer;
        using var adam = optim.Adam(composer.parameters(), LearningRate);
        using var g = new Generator((ulong)(seed * 1_000_003 + 999_983));
        double error = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            Tensor w;
            using (no_grad())
            {
                var z = randn(new long[] { Batch, c.StyleDim }, generator: g);
                w = statistics.Mean + c.Truncation * (model.Teacher.Map(z) - statistics.Mean);
            }
            var perturbed = (arange(Batch) >= Batch / 2).to(ScalarType.Float32).unsqueeze(1);
            var light = rand(new long[] { Batch, 4 }, generator: g) * 2 - 1;
            light = cat(new[] { light[.., ..2], light[.., 2..] * perturbed }, 1);
            using var perturbation = Perturbation.Sample(light, c, g);
            var view = perturbation.View * perturbed;
            var loss = (composer.forward(w, light, view) - w).pow(2).mean() / w.var(0).mean();
            adam.zero_grad();
            loss.backward();
            adam.step();
            error = loss.item<float>();
        }
        if (!double.IsFinite(error)) throw new LiftingDivergedException(0, "the composer warm start");
        return error;
    }
}
