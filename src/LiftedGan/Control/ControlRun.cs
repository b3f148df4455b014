using LiftedGan.Synthetic;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// A control training run folder: RUN/checkpoint/NNNNNN.pt (atomic; the latest is resumed), RUN/sample/NNNNNN.png
/// (generator output above the face model's render of the same 8 fixed codes), RUN/tb (TensorBoard scalars) and
/// RUN/loss.csv — the layout of StyleGAN2 runs, driven by the shared <see cref="TrainingLoop"/>.
/// </summary>
public static class ControlRun
{
    /// <summary>RUN/checkpoint/NNNNNN.pt, all kept.</summary>
    public static readonly CheckpointNaming Checkpoints = new("checkpoint", "", 6, ".pt");

    /// <summary>The newest checkpoint of the run, or null.</summary>
    public static string? LatestCheckpoint(string outDir) => new RunFolder(outDir, Checkpoints).LatestCheckpoint();

    /// <summary>
    /// A trainer for <paramref name="outDir"/>: resumed from its latest checkpoint (whose settings must equal
    /// <paramref name="config"/>), else fresh, its generator taken from <paramref name="startFrom"/> when given
    /// (<see cref="ControlTrainer.StartFrom"/>; ignored once the folder holds a checkpoint).
    /// </summary>
    public static ControlTrainer Open(ControlConfig config, FaceAnalysis analysis, string outDir, string? startFrom = null)
    {
        var latest = LatestCheckpoint(outDir);
        if (latest is not null) return ControlTrainer.Resume(latest, config, analysis);
        return startFrom is null ? new ControlTrainer(config, analysis) : ControlTrainer.StartFrom(startFrom, config, analysis);
    }

    /// <summary>Trains to <paramref name="steps"/> (checkpoint every <paramref name="checkpointEvery"/> steps and at the end; samples every <paramref name="sampleEvery"/>).</summary>
    public static void Run(ControlTrainer trainer, string outDir, long steps, int checkpointEvery, int sampleEvery, Action<StepProgress>? progress = null,
        CancellationToken cancel = default)
    {
        Directory.CreateDirectory(outDir);
        var folder = new RunFolder(outDir, Checkpoints);
        folder.EnsureWritable();
        var loop = new TrainingLoop(trainer, trainer.Randomness, steps)
        {
            TensorBoardDir = Path.Combine(outDir, "tb"),
            LockFile = RunLock.ForFolder(outDir),
            Csv = CsvLog.Checkpointed(Path.Combine(outDir, "loss.csv"), trainer.Step),
            Checkpoints = new CheckpointSchedule(checkpointEvery, _ => folder.SaveCheckpoint(trainer.Step, trainer.Save)),
            Progress = progress,
        };
        loop.Hooks.Add(StepHook.Every(sampleEvery, (step, tb) => WriteSamples(trainer, outDir, step, tb)));
        loop.Run(cancel);
    }

    static void WriteSamples(ControlTrainer trainer, string outDir, long step, TorchSharp.Modules.SummaryWriter? tb)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var rng = new Generator((ulong)trainer.Config.Seed + 1000);
        var code = ControlCode.Sample(8, trainer.Config.NoiseDims, rng);
        using var render = ControlCode.Render(code, trainer.Config.Size);
        var x = trainer.Generator.Generate(code, render).clamp(-1, 1);
        RunSamples.Write(outDir, "sample", step, cat(new[] { x, render.Images }, 0), 8, tb, "samples");
    }
}
