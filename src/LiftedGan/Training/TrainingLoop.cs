using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>Progress of a run, reported after every step: steps done, the run's total, the step's scalars and the rate.</summary>
public sealed record StepProgress(long Step, long TotalSteps, IReadOnlyDictionary<string, double> Scalars, double StepsPerSecond);

/// <summary>Work done after the steps <paramref name="When"/> selects (samples, measurements): gets the steps done and the run's TensorBoard writer (null without one).</summary>
public sealed record StepHook(Func<long, bool> When, Action<long, SummaryWriter?> Write)
{
    /// <summary>After every <paramref name="every"/>-th step (never for 0).</summary>
    public static StepHook Every(int every, Action<long, SummaryWriter?> write) => new(step => every > 0 && step % every == 0, write);
}

/// <summary>When checkpoints are written: every <paramref name="Every"/> steps (0: never on a schedule), where <paramref name="AlsoWhen"/> says, and after the last step.</summary>
public sealed record CheckpointSchedule(int Every, Action<long> Save, Func<long, bool>? AlsoWhen = null);

/// <summary>
/// The one training loop: counts steps, gives each step its randomness (<see cref="StepRandomness"/>), stops on a
/// non-finite scalar before anything is saved (so the last checkpoint is the last good one), logs scalars to
/// TensorBoard and a CSV file, runs sample and measurement hooks, writes checkpoints on schedule and at the end, and
/// reports progress. A model plugs in its step (<see cref="ITrainable"/>) and its checkpoint writer.
/// </summary>
public sealed class TrainingLoop(ITrainable model, StepRandomness randomness, long totalSteps)
{
    /// <summary>TensorBoard folder (RUN/tb); null: no TensorBoard.</summary>
    public string? TensorBoardDir { get; init; }

    /// <summary>Steps between TensorBoard scalar writes.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Whether the first step's scalars are written too.</summary>
    public bool LogFirstStep { get; init; }

    /// <summary>Prefix of the scalars' TensorBoard tags (e.g. "loss/").</summary>
    public string TagPrefix { get; init; } = "";

    /// <summary>A CSV log that gets every step's scalars; a checkpointed one is written with each checkpoint.</summary>
    public CsvLog? Csv { get; init; }

    public CheckpointSchedule? Checkpoints { get; init; }

    /// <summary>The run's lock file (<see cref="RunLock"/>), held for the whole run; null: no lock.</summary>
    public string? LockFile { get; init; }

    /// <summary>Sample writers and measurements, run in order after a step's scalars are logged.</summary>
    public List<StepHook> Hooks { get; } = [];

    public Action<StepProgress>? Progress { get; init; }

    /// <summary>
    /// A hook that runs <paramref name="measure"/> every <paramref name="every"/> steps without gradients and logs its
    /// values to TensorBoard (<paramref name="tagPrefix"/>NAME) and to <paramref name="csv"/>.
    /// </summary>
    public static StepHook Measurement(int every, string tagPrefix, CsvLog csv, Func<IReadOnlyDictionary<string, double>> measure) =>
        StepHook.Every(every, (step, tb) =>
        {
            IReadOnlyDictionary<string, double> values;
            using (no_grad()) values = measure();
            foreach (var (name, value) in values) tb?.add_scalar(tagPrefix + name, (float)value, (int)step);
            csv.Add(step, values);
        });

    /// <summary>Trains until the total number of steps is done or <paramref name="cancel"/> is set, then checkpoints.</summary>
    /// <exception cref="TrainingDivergedException">A step's scalar was not finite (nothing of that step was saved).</exception>
    /// <exception cref="RunSetupException">Another process holds <see cref="LockFile"/>.</exception>
    public void Run(CancellationToken cancel = default)
    {
        using var runLock = LockFile is null ? null : RunLock.Acquire(LockFile);
        var tb = TensorBoardDir is null ? null : torch.utils.tensorboard.SummaryWriter(TensorBoardDir);
        var sw = Stopwatch.StartNew();
        long start = model.StepsDone, saved = start;
        while (model.StepsDone < totalSteps && !cancel.IsCancellationRequested)
        {
            var scalars = RunStep(model, randomness);
            long done = model.StepsDone;
            if (tb is not null && (done % LogEvery == 0 || (LogFirstStep && done == 1)))
                foreach (var (name, value) in scalars) tb.add_scalar(TagPrefix + name, (float)value, (int)done);
            Csv?.Add(done, scalars);
            foreach (var hook in Hooks)
                if (hook.When(done)) hook.Write(done, tb);
            if (Checkpoints is { } c && ((c.Every > 0 && done % c.Every == 0) || c.AlsoWhen?.Invoke(done) == true))
            {
                Save(c, done);
                saved = done;
            }
            Progress?.Invoke(new StepProgress(done, totalSteps, scalars, (done - start) / sw.Elapsed.TotalSeconds));
        }
        if (Checkpoints is { } last && model.StepsDone != saved) Save(last, model.StepsDone);
    }

    /// <summary>Runs <paramref name="model"/>'s next step with its randomness; returns its scalars.</summary>
    /// <exception cref="TrainingDivergedException">A scalar is not finite.</exception>
    public static IReadOnlyDictionary<string, double> RunStep(ITrainable model, StepRandomness randomness)
    {
        long index = model.StepsDone;
        var scalars = randomness.Run(index, model.Step);
        foreach (var (name, value) in scalars)
            if (!double.IsFinite(value)) throw new TrainingDivergedException(index, $"'{name}' ({value})");
        return scalars;
    }

    void Save(CheckpointSchedule schedule, long step)
    {
        schedule.Save(step);
        Csv?.Flush();
    }
}
