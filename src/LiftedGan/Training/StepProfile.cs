using System.Diagnostics;

namespace LiftedGan.Training;

/// <summary>One named part of profiled training steps: its wall time summed over the steps, and how often it ran.</summary>
public sealed record StepProfilePart(string Name, double TotalMilliseconds, int Laps);

/// <summary>
/// Wall time of the named parts of training steps, lap by lap: <see cref="Begin"/> starts a step, each
/// <see cref="Lap"/> charges the time since the previous lap (or the start) to its part, <see cref="End"/> closes the
/// step. libtorch's CPU calls return when their work is done, so the time between two laps is the work between them.
/// Trainers hold a null profile unless a benchmark sets one, so training pays nothing for the laps.
/// </summary>
public sealed class StepProfile
{
    readonly Stopwatch _clock = new();
    readonly List<string> _order = new();
    readonly Dictionary<string, (double Ms, int Laps)> _parts = new();
    double _last;
    int _ended;

    /// <summary>Steps at the start that are run but not counted (warm-up: first-call allocations and caches).</summary>
    public int Warmup { get; init; }

    /// <summary>Steps closed with <see cref="End"/>.</summary>
    public int Steps { get; private set; }

    /// <summary>Wall time from <see cref="Begin"/> to <see cref="End"/>, summed over the steps.</summary>
    public double TotalMilliseconds { get; private set; }

    /// <summary>Work done once outside the steps (e.g. rendering a training pool), milliseconds; kept by <see cref="Reset"/>.</summary>
    public double OneOffMilliseconds { get; private set; }

    /// <summary>Adds <paramref name="milliseconds"/> of one-off work.</summary>
    public void AddOneOff(double milliseconds) => OneOffMilliseconds += milliseconds;

    /// <summary>The parts in the order they first ran.</summary>
    public IReadOnlyList<StepProfilePart> Parts => _order.Select(n => new StepProfilePart(n, _parts[n].Ms, _parts[n].Laps)).ToList();

    /// <summary>Starts a step.</summary>
    public void Begin()
    {
        _last = 0;
        _clock.Restart();
    }

    /// <summary>Charges the time since the previous lap (or <see cref="Begin"/>) to <paramref name="part"/>.</summary>
    public void Lap(string part)
    {
        double now = _clock.Elapsed.TotalMilliseconds;
        if (!_parts.TryGetValue(part, out var p)) { _order.Add(part); p = (0, 0); }
        _parts[part] = (p.Ms + now - _last, p.Laps + 1);
        _last = now;
    }

    /// <summary>Closes the step; time after the last lap counts as the step's but no part's.</summary>
    public void End()
    {
        _clock.Stop();
        if (++_ended <= Warmup) { Reset(); return; }
        TotalMilliseconds += _clock.Elapsed.TotalMilliseconds;
        Steps++;
    }

    /// <summary>Forgets every step so far (after warm-up steps).</summary>
    public void Reset()
    {
        _order.Clear();
        _parts.Clear();
        Steps = 0;
        TotalMilliseconds = 0;
    }
}

/// <summary>
/// A profiled training run of one trainer (`bench train`): the mean wall time of a step, its parts per step, what no
/// part covers, one-off set-up work, and the process's peak resident memory when it ended.
/// </summary>
public sealed record TrainerProfile(string Name, string Setting, int Steps, double StepMilliseconds, IReadOnlyList<StepProfilePart> Parts,
    long PeakBytes)
{
    /// <summary>Work done once before the steps (e.g. rendering a training pool), milliseconds; 0 when none.</summary>
    public double OneOffMilliseconds { get; init; }
    /// <summary>What the one-off work is.</summary>
    public string OneOff { get; init; } = "";

    /// <summary>Per-step time not inside any part.</summary>
    public double RestMilliseconds => StepMilliseconds - Parts.Sum(p => p.TotalMilliseconds) / Steps;

    /// <summary>Builds the record from a profile after its steps.</summary>
    public static TrainerProfile From(string name, string setting, StepProfile profile) =>
        new(name, setting, profile.Steps, profile.TotalMilliseconds / Math.Max(1, profile.Steps), profile.Parts,
            System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64);
}
