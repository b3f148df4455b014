using LiftedGan.Data;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>How long to train and how often to write samples, checkpoints and TensorBoard scalars.</summary>
public sealed record RunSettings(string OutDir, long Iterations, int SampleEvery = 500, int CheckpointEvery = 2000, int LogEvery = 10);

/// <summary>Progress of a run, reported after every step.</summary>
public sealed record RunProgress(TrainStepResult Step, long Iteration, long Iterations, double StepsPerSecond);

/// <summary>
/// StyleGAN2 training as a <see cref="TrainingLoop"/> run: RUN/checkpoint/NNNNNN.pt (official layout, written
/// atomically), RUN/sample/NNNNNN.png (g_ema grids for fixed latents) and RUN/tb (TensorBoard scalars). Resumes from
/// the latest checkpoint.
/// </summary>
public static class StyleGanTrainingRun
{
    /// <summary>RUN/checkpoint/NNNNNN.pt, all kept.</summary>
    public static readonly CheckpointNaming Checkpoints = new("checkpoint", "", 6, ".pt");

    /// <summary>The newest RUN/checkpoint/*.pt by iteration number, or null.</summary>
    public static string? LatestCheckpoint(string outDir) => new RunFolder(outDir, Checkpoints).LatestCheckpoint();

    /// <summary>
    /// A trainer for <paramref name="outDir"/>: restored from <paramref name="resumeFrom"/> (or the run's latest
    /// checkpoint, whose stored options then replace <paramref name="options"/>), otherwise fresh. A resumed run keeps
    /// its learning rate unless <paramref name="resumeLr"/> is given (the new rate is stored in the run's args from then on).
    /// </summary>
    public static StyleGanTrainer Open(TrainOptions options, IImageSource source, string outDir, string? resumeFrom = null, double? resumeLr = null)
    {
        var checkpoint = resumeFrom ?? LatestCheckpoint(outDir);
        if (checkpoint is null) return new StyleGanTrainer(options, source);
        var stored = StyleGanCheckpoint.ReadOptions(checkpoint);
        var trainer = new StyleGanTrainer(resumeLr is { } lr ? stored with { Lr = lr } : stored, source);
        try { StyleGanCheckpoint.Restore(checkpoint, trainer); }
        catch { trainer.Dispose(); throw; }
        return trainer;
    }

    /// <summary>
    /// Trains until <see cref="RunSettings.Iterations"/> steps are done (or cancellation), then checkpoints. A step with
    /// a non-finite scalar stops the run (<see cref="TrainingDivergedException"/>) with the last good checkpoint kept.
    /// </summary>
    public static void Run(StyleGanTrainer trainer, RunSettings settings, Action<RunProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(settings.OutDir);
        var loop = new TrainingLoop(trainer, trainer.Randomness, settings.Iterations)
        {
            TensorBoardDir = Path.Combine(settings.OutDir, "tb"),
            LockFile = RunLock.ForFolder(settings.OutDir),
            LogEvery = settings.LogEvery,
            Checkpoints = new CheckpointSchedule(settings.CheckpointEvery, _ => WriteCheckpoint(trainer, settings.OutDir)),
            Progress = progress is null ? null : p => progress(new RunProgress(trainer.LastResult!, p.Step, p.TotalSteps, p.StepsPerSecond)),
        };
        loop.Hooks.Add(StepHook.Every(settings.SampleEvery, (_, _) => WriteSamples(trainer, settings.OutDir)));
        loop.Run(cancel);
    }

    /// <summary>Writes RUN/checkpoint/NNNNNN.pt for the trainer's current iteration; returns the path.</summary>
    public static string WriteCheckpoint(StyleGanTrainer trainer, string outDir) =>
        new RunFolder(outDir, Checkpoints).SaveCheckpoint(trainer.Iteration, path => StyleGanCheckpoint.Save(path, trainer));

    /// <summary>RUN/sample/NNNNNN.png: 16 samples of a fixed seed, 4 a row.</summary>
    static void WriteSamples(StyleGanTrainer trainer, string outDir)
    {
        using var scope = NewDisposeScope();
        RunSamples.Write(outDir, "sample", trainer.Iteration, trainer.Sample(16, trainer.Options.Seed + 1000), 4);
    }
}
