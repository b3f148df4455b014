using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Warm start of the style composer M before a fresh lift (this project's addition; the official code starts M from
/// random weights): M(w, L, 0) is fitted to w for truncated teacher styles w and neutral lights L = [a, d, 0, 0]
/// (a, d uniform in (−1, 1)), by Adam (lr 1e-3) on the mean squared error relative to the styles' variance. The
/// canonical image G(M(w, L0, 0)) then starts as the teacher's own image instead of one blurred mean face, which a
/// short schedule otherwise never leaves. Deterministic: batches come from a generator seeded by the run seed.
/// </summary>
public static class ComposerWarmup
{
    public const int Batch = 64;
    public const double LearningRate = 1e-3;

    /// <summary>Runs <paramref name="steps"/> fitting steps; returns the relative error of the last step.</summary>
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
            var light = cat(new[] { rand(new long[] { Batch, 2 }, generator: g) * 2 - 1, zeros(Batch, 2) }, 1);
            var view = zeros(Batch, 6);
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
