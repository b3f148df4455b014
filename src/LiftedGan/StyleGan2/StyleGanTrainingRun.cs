using System.Diagnostics;
using System.Globalization;
using LiftedGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>How long to train and how often to write samples, checkpoints and TensorBoard scalars.</summary>
public sealed record RunSettings(string OutDir, long Iterations, int SampleEvery = 500, int CheckpointEvery = 2000, int LogEvery = 10);

/// <summary>Progress of a run, reported after every step.</summary>
public sealed record RunProgress(TrainStepResult Step, long Iteration, long Iterations, double StepsPerSecond);

/// <summary>
/// A training run on disk: RUN/checkpoint/NNNNNN.pt (official layout, written atomically), RUN/sample/NNNNNN.png
/// (g_ema grids for fixed latents) and RUN/tb (TensorBoard scalars). Resumes from the latest checkpoint.
/// </summary>
public static class StyleGanTrainingRun
{
    /// <summary>The newest RUN/checkpoint/*.pt by iteration number, or null.</summary>
    public static string? LatestCheckpoint(string outDir)
    {
        var dir = Path.Combine(outDir, "checkpoint");
        if (!Directory.Exists(dir)) return null;
        return Directory.GetFiles(dir, "*.pt")
            .Select(f => (File: f, Ok: long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n), N: n))
            .Where(x => x.Ok).OrderBy(x => x.N).Select(x => x.File).LastOrDefault();
    }

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

    /// <summary>Trains until <see cref="RunSettings.Iterations"/> steps are done (or cancellation), then checkpoints.</summary>
    public static void Run(StyleGanTrainer trainer, RunSettings settings, Action<RunProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(settings.OutDir);
        var tb = torch.utils.tensorboard.SummaryWriter(Path.Combine(settings.OutDir, "tb"));
        var sw = Stopwatch.StartNew();
        long startIter = trainer.Iteration;
        while (trainer.Iteration < settings.Iterations && !cancel.IsCancellationRequested)
        {
            var r = trainer.Step();
            long done = trainer.Iteration;
            if (done % settings.LogEvery == 0)
            {
                tb.add_scalar("loss/d", (float)r.DLoss, (int)done);
                tb.add_scalar("loss/g", (float)r.GLoss, (int)done);
                tb.add_scalar("loss/r1", (float)r.R1, (int)done);
                tb.add_scalar("loss/path", (float)r.PathLoss, (int)done);
                tb.add_scalar("path/mean_length", (float)r.MeanPathLength, (int)done);
                tb.add_scalar("score/real", (float)r.RealScore, (int)done);
                tb.add_scalar("score/fake", (float)r.FakeScore, (int)done);
            }
            if (settings.SampleEvery > 0 && done % settings.SampleEvery == 0) WriteSamples(trainer, settings.OutDir);
            if (settings.CheckpointEvery > 0 && done % settings.CheckpointEvery == 0) WriteCheckpoint(trainer, settings.OutDir);
            progress?.Invoke(new RunProgress(r, done, settings.Iterations, (done - startIter) / sw.Elapsed.TotalSeconds));
        }
        if (trainer.Iteration != startIter && (settings.CheckpointEvery <= 0 || trainer.Iteration % settings.CheckpointEvery != 0))
            WriteCheckpoint(trainer, settings.OutDir);
    }

    /// <summary>Writes RUN/checkpoint/NNNNNN.pt for the trainer's current iteration; returns the path.</summary>
    public static string WriteCheckpoint(StyleGanTrainer trainer, string outDir)
    {
        var path = Path.Combine(outDir, "checkpoint", $"{trainer.Iteration:D6}.pt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        StyleGanCheckpoint.Save(path, trainer);
        return path;
    }

    /// <summary>RUN/sample/NNNNNN.png (TorchSharp's TensorBoard image writer needs SkiaSharp natives, so grids stay PNG files).</summary>
    static void WriteSamples(StyleGanTrainer trainer, string outDir)
    {
        using var scope = NewDisposeScope();
        var images = trainer.Sample(16, trainer.Options.Seed + 1000).clamp(-1, 1).cpu();
        var grid = ImageGrid.Make(images, 4);
        var path = Path.Combine(outDir, "sample", $"{trainer.Iteration:D6}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageIO.SavePng(path, grid);
    }
}
