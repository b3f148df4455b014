using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Warm start of a residual composer re-started on a trained lift (<see cref="LiftingConfig.ResidualComposer"/> switched
/// on at resume, its output zeroed, so every composed face is at first the source face itself, pose included): the
/// composer alone is fitted by Adam (lr 1e-3) to the parameter cycle against the lift's own, frozen light and view
/// networks, D(G(w + M(w, L′, V′))) = (L′, V′), with the style proximity term keeping w + M near w, at the training
/// run's weights of both. Half of each batch asks for the canonical light and view (the decomposer's ambient and
/// diffuse, no direction, V = 0: the frontal face the canonical image must show), half for perturbations sampled as in
/// training. Nothing but the lift's own networks is used. Deterministic: batches come from a generator seeded by the
/// run seed.
/// </summary>
public static class ResidualComposerWarmup
{
    public const int Batch = 32;
    public const double LearningRate = 1e-3;

    /// <summary>Runs <paramref name="steps"/> steps; returns the parameter-cycle error (unweighted) of the last step.</summary>
    public static double Run(LiftedGenerator model, StyleStatistics statistics, int steps, long seed)
    {
        if (!model.Config.ResidualComposer) throw new ArgumentException("residual composer warm start: the composer is not a residual one (composer_residual is off)");
        WarmStart.CheckSteps("residual composer warm start", steps);
        using var fit = new Fit(model, statistics);
        return WarmStart.Run(fit, steps, (ulong)(seed * 1_000_003 + 271_829), "the residual composer warm start");
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
            Tensor w, light, view;
            using (no_grad())
            {
                var z = randn(new long[] { Batch, c.StyleDim }, generator: g);
                w = statistics.Mean + c.Truncation * (model.Teacher.Map(z) - statistics.Mean);
                var (own, _) = model.Decomposer.forward(w);
                using var perturbation = Perturbation.Sample(own, c, g);
                var perturbed = (arange(Batch) >= Batch / 2).to(ScalarType.Float32).unsqueeze(1);
                var neutral = cat(new[] { own[.., ..2], zeros_like(own[.., 2..]) }, 1);
                light = perturbed * perturbation.Light + (1 - perturbed) * neutral;
                view = perturbation.View * perturbed;
            }
            var composed = model.Compose(w, light, view);
            var image = model.Synthesize(composed).Image;
            var (lightRead, viewRead) = model.LightAndView(composed, train: false, image: image);
            var cycle = LiftingLosses.ParameterCycle(lightRead, light, viewRead, view);
            var loss = c.PerturbParameterWeight * cycle + c.StyleProximityWeight * LiftingLosses.StylePrior(composed, w, statistics.SigmaInverse);
            _adam.ZeroGrad();
            loss.backward();
            _adam.Step();
            StepsDone++;
            return new Dictionary<string, double> { ["error"] = cycle.item<float>() };
        }

        public void Dispose() => _adam.Dispose();
    }
}
