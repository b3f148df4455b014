using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// A model as <see cref="TrainingLoop"/> drives it: its step function and the step count that its checkpoints store.
/// Every model (StyleGAN2, the lift, the composer warm start, the pose-depth estimator, the identity embedding) is one.
/// </summary>
public interface ITrainable
{
    /// <summary>Completed steps (restored on resume).</summary>
    long StepsDone { get; }

    /// <summary>
    /// Runs the next step, drawing all of its randomness from <paramref name="rng"/>, and returns its named scalars
    /// (losses and the like; each is logged, and a non-finite one stops the run).
    /// </summary>
    IReadOnlyDictionary<string, double> Step(Generator rng);
}
