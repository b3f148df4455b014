using LiftedGan.Training;
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
        WarmStart.CheckSteps("composer warm start", steps);
        using var fit = new Fit(model, statistics);
        return WarmStart.Run(fit, steps, (ulong)(seed * 1_000_003 + 999_983), "the composer warm start");
    }

    /// <summary>The warm start as a <see cref="TrainingLoop"/> model: one step fits one batch.</summary>
    sealed class Fit(LiftedGenerator model, StyleStatistics statistics) : ITrainable, IDisposable
    {
        readonly AdamOptimizer _adam = new(model.Composer.parameters(), LearningRate, 0.9, 0.999);

        public long StepsDone { get; private set; }

        public IReadOnlyDictionary<string, double> Step(Generator g)
        {
            var c = model.Config;
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
            var view = c.ComposerWarmupViews ? perturbation.View * perturbed : zeros_like(perturbation.View);
            var loss = (model.Compose(w, light, view) - w).pow(2).mean() / w.var(0).mean();
            _adam.ZeroGrad();
            loss.backward();
            _adam.Step();
            StepsDone++;
            return new Dictionary<string, double> { ["error"] = loss.item<float>() };
        }

        public void Dispose() => _adam.Dispose();
    }
}

/// <summary>The loop both warm starts share: a number of steps of a fit, each batch from one seeded generator.</summary>
static class WarmStart
{
    /// <summary>Refuses fewer than one step, naming <paramref name="what"/>.</summary>
    public static void CheckSteps(string what, int steps)
    {
        if (steps < 1) throw new ArgumentException($"{what}: {steps} steps; must be at least 1");
    }

    /// <summary>Runs the fit; returns the "error" scalar of its last step. A diverged step is reported as <paramref name="what"/>.</summary>
    public static double Run(ITrainable fit, int steps, ulong seed, string what)
    {
        using var g = new Generator(seed);
        double error = double.NaN;
        try { new TrainingLoop(fit, StepRandomness.Stream(g), steps) { Progress = p => error = p.Scalars["error"] }.Run(); }
        catch (TrainingDivergedException) { throw new LiftingDivergedException(0, what); }
        return error;
    }
}
