using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// Where a step's random numbers come from: a generator seeded anew for every step from (run seed, step index), so a
/// resumed run repeats an uninterrupted one exactly; or one stream for a whole run that is never resumed.
/// </summary>
public sealed class StepRandomness
{
    readonly Func<long, ulong>? _seedOfStep;
    readonly Generator? _stream;

    StepRandomness(Func<long, ulong>? seedOfStep, Generator? stream) => (_seedOfStep, _stream) = (seedOfStep, stream);

    /// <summary>A fresh generator for every step, seeded by <paramref name="seedOfStep"/>(steps done before it).</summary>
    public static StepRandomness PerStep(Func<long, ulong> seedOfStep) => new(seedOfStep, null);

    /// <summary>One generator for all steps (owned by the caller).</summary>
    public static StepRandomness Stream(Generator stream) => new(null, stream);

    /// <summary>Runs <paramref name="step"/> with the randomness of step <paramref name="index"/>.</summary>
    public T Run<T>(long index, Func<Generator, T> step)
    {
        if (_stream is not null) return step(_stream);
        using var rng = new Generator(_seedOfStep!(index));
        return step(rng);
    }

    /// <summary>The step seed used by StyleGAN2 training: seed·φ + index + 1 (φ = 2⁶⁴ / golden ratio).</summary>
    public static ulong GoldenSeed(ulong seed, long index) => unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)index + 1);
}
