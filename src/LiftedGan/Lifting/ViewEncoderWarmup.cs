using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Warm start of a fresh <see cref="ImageViewEncoder"/> on a lift whose composer is already trained (a run resumed from
/// a checkpoint without netVI): for teacher styles w, the composer's styles w′ = M(w, L′, V′) at perturbations sampled
/// as in training (<see cref="Perturbation"/>, light shuffled from the decomposer's), and the encoder fitted by Adam
/// (lr 1e-3) to read V′'s rotations from G(w′): the parameter cycle alone, composer and teacher fixed. Deterministic:
/// batches come from a generator seeded by the run seed.
/// </summary>
public static class ViewEncoderWarmup
{
    public const int Batch = 32;
    public const double LearningRate = 1e-3;

    /// <summary>Runs <paramref name="steps"/> steps; returns the mean squared rotation error (raw units, degrees/60) of the last step.</summary>
    public static double Run(LiftedGenerator model, StyleStatistics statistics, int steps, long seed)
    {
        if (model.ViewEncoder is null) throw new ArgumentException("view encoder warm start: the model has no image view encoder (view_from_image is off)");
        WarmStart.CheckSteps("view encoder warm start", steps);
        using var fit = new Fit(model, statistics);
        return WarmStart.Run(fit, steps, (ulong)(seed * 1_000_003 + 424_243), "the view encoder warm start");
    }

    /// <summary>The warm start as a <see cref="TrainingLoop"/> model: one step fits one batch.</summary>
    sealed class Fit(LiftedGenerator model, StyleStatistics statistics) : ITrainable, IDisposable
    {
        readonly AdamOptimizer _adam = new(model.ViewEncoder!.parameters(), LearningRate, 0.9, 0.999);

        public long StepsDone { get; private set; }

        public IReadOnlyDictionary<string, double> Step(Generator g)
        {
            var c = model.Config;
            using var scope = NewDisposeScope();
            Tensor image, target;
            using (no_grad())
            {
                var z = randn(new long[] { Batch, c.StyleDim }, generator: g);
                var w = statistics.Mean + c.Truncation * (model.Teacher.Map(z) - statistics.Mean);
                var (light, _) = model.Decomposer.forward(w);
                using var perturbation = Perturbation.Sample(light, c, g);
                image = model.Synthesize(model.Compose(w, perturbation.Light, perturbation.View)).Image.clamp(-1, 1);
                target = perturbation.View[.., ..3].clone();
            }
            var loss = (model.ViewEncoder!.forward(image)[.., ..3] - target).pow(2).mean();
            _adam.ZeroGrad();
            loss.backward();
            _adam.Step();
            StepsDone++;
            return new Dictionary<string, double> { ["error"] = loss.item<float>() };
        }

        public void Dispose() => _adam.Dispose();
    }
}
