using LiftedGan.Data;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>Progress of an Unsup3d run, reported after every step.</summary>
public sealed record Unsup3dProgress(long Step, long TotalSteps, IReadOnlyDictionary<string, double> Losses, double StepsPerSecond);

/// <summary>
/// An Unsup3d training run on disk: RUN/checkpoint_NNNNNNN.pth (NNNNNNN = steps done, written atomically every
/// <c>checkpointEvery</c> steps and at the end; the newest 3 kept), RUN/loss.csv (rewritten with each checkpoint),
/// RUN/samples/STEP.png (input | reconstruction | mirrored reconstruction | canonical depth | albedo of 8 fixed images)
/// and RUN/tb (TensorBoard scalars loss/*, the sample grids and histograms of the predicted angles). An existing run
/// resumes from its newest checkpoint with the settings stored in it (only the final step can change).
/// </summary>
public static class Unsup3dRun
{
    /// <summary>RUN/checkpoint_NNNNNNN.pth, the newest 3 kept.</summary>
    public static readonly CheckpointNaming Checkpoints = new("", "checkpoint_", 7, ".pth", Keep: 3);

    /// <summary>The newest checkpoint of a run folder, or null.</summary>
    public static string? LatestCheckpoint(string outDir) => new RunFolder(outDir, Checkpoints).LatestCheckpoint();

    /// <summary>
    /// Builds the trainer after checking the inputs: the run folder is writable and unlocked, the settings usable, the
    /// VGG16 file loads (without one the documented random-feature substitute is used and <paramref name="warn"/> says
    /// so). <paramref name="source"/> makes the training images for an image size (a new run takes the size of a source
    /// that has its own, e.g. a teacher). A run folder with a checkpoint
    /// resumes from it with its stored settings, the step count of <paramref name="config"/> excepted
    /// (<paramref name="warn"/> names settings given otherwise). A new run with <paramref name="initFrom"/> starts from
    /// that checkpoint's networks, step count and settings (<see cref="Unsup3dTrainer.StartFrom"/>; only the step count
    /// and learning rate of <paramref name="config"/> apply); a run folder with a checkpoint ignores it.
    /// </summary>
    public static Unsup3dTrainer Open(Unsup3dConfig config, Func<int, IImageSource> source, string outDir, string? vggPath, Action<string> warn,
        string? initFrom = null)
    {
        new RunFolder(outDir, Checkpoints).EnsureWritable();
        RunLock.ThrowIfHeld(RunLock.ForFolder(outDir));
        string? checkpoint = LatestCheckpoint(outDir);
        if (checkpoint is not null)
        {
            var root = Unsup3dCheckpoint.LoadRoot(checkpoint);
            Unsup3dConfig stored;
            try { stored = Unsup3dCheckpoint.ReadConfig(root, checkpoint); }
            finally { LiftedGan.Checkpoints.TorchCheckpoint.DisposeTensors(root); }
            if (stored with { Steps = config.Steps } != config)
                warn($"resuming {checkpoint}: the run keeps the settings stored in it; only the step count changes");
            config = stored with { Steps = config.Steps };
            if (initFrom is not null) warn($"{initFrom} is not read: the run folder holds {checkpoint}, which is resumed");
            initFrom = null;
        }
        else if (initFrom is not null)
        {
            var root = Unsup3dCheckpoint.LoadRoot(initFrom);
            Unsup3dConfig stored;
            try { stored = Unsup3dCheckpoint.ReadConfig(root, initFrom); }
            finally { LiftedGan.Checkpoints.TorchCheckpoint.DisposeTensors(root); }
            var kept = stored with { Steps = config.Steps, LearningRate = config.LearningRate };
            if (kept with { ImageSize = config.ImageSize } != config)
                warn($"starting from {initFrom}: the run keeps the settings stored in it; only the step count and learning rate change");
            config = kept;
        }
        if (vggPath is not null && !File.Exists(vggPath)) throw new Unsup3dException(vggPath, "VGG16 checkpoint not found");
        var images = source(config.ImageSize);
        Unsup3dModel? model = null;
        PerceptualLoss? perceptual = null;
        try
        {
            // A new run takes the size of a source that has its own (a teacher); a resumed one keeps its size (the trainer checks).
            if (checkpoint is null && initFrom is null && images.Resolution is int r) config = config with { ImageSize = r };
            if (config.Problem() is { } problem) throw new Unsup3dException("config", problem);
            if (config.PerceptualWeight > 0)
            {
                Vgg16Features vgg;
                if (vggPath is not null) vgg = PretrainedNetworks.LoadVgg16(vggPath);
                else
                {
                    warn("no VGG16 weights: the perceptual loss uses the documented substitute (VGG16 with fixed random He-initialised features)");
                    vgg = Vgg16Features.RandomFeatures(config.Seed);
                }
                perceptual = Unsup3dTrainer.PerceptualNetwork(vgg);
            }
            model = new Unsup3dModel(config);
            var trainer = new Unsup3dTrainer(model, images, perceptual);
            if (checkpoint is not null) trainer.Resume(checkpoint);
            else if (initFrom is not null) trainer.StartFrom(initFrom);
            if (trainer.GlobalStep >= config.Steps && initFrom is not null)
            {
                trainer.Dispose();
                throw new Unsup3dException(initFrom, $"is at step {trainer.GlobalStep}: the run must end beyond it (its step count is {config.Steps})");
            }
            return trainer;
        }
        catch
        {
            model?.Dispose();
            perceptual?.Dispose();
            (images as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Trains to the config's step count (or cancellation) in a <see cref="TrainingLoop"/>. A diverged step stops the run
    /// with the last good checkpoint kept (the exception propagates).
    /// </summary>
    public static void Run(Unsup3dTrainer trainer, string outDir, int checkpointEvery = 500, int sampleEvery = 500,
        Action<Unsup3dProgress>? progress = null, CancellationToken cancel = default)
    {
        var folder = new RunFolder(outDir, Checkpoints);
        var loop = new TrainingLoop(trainer, trainer.Randomness, trainer.Config.Steps)
        {
            TensorBoardDir = Path.Combine(outDir, "tb"),
            LockFile = RunLock.ForFolder(outDir),
            LogFirstStep = true,
            TagPrefix = "loss/",
            Csv = CsvLog.Checkpointed(Path.Combine(outDir, "loss.csv"), trainer.GlobalStep),
            Checkpoints = new CheckpointSchedule(checkpointEvery, step => folder.SaveCheckpoint(step, trainer.SaveCheckpoint)),
            Progress = progress is null ? null : p => progress(new Unsup3dProgress(p.Step, p.TotalSteps, p.Scalars, p.StepsPerSecond)),
        };
        loop.Hooks.Add(new StepHook(step => sampleEvery > 0 && (step == 1 || step % sampleEvery == 0), (step, tb) => WriteSamples(trainer, outDir, step, tb)));
        loop.Run(cancel);
    }

    /// <summary>RUN/samples/STEP.png for 8 fixed images of the source (seed + 7): input, reconstruction, mirrored reconstruction, depth, albedo.</summary>
    static void WriteSamples(Unsup3dTrainer trainer, string outDir, long step, TorchSharp.Modules.SummaryWriter? tb)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)trainer.Config.Seed + 7);
        var input = trainer.Source.Next(8, g).clamp(-1, 1);
        var model = trainer.Model;
        model.Train(false);
        try
        {
            using var d = model.Decompose(input);
            using var main = model.Render(d);
            using var flip = model.Render(d, flipped: true);
            var c = trainer.Config;
            var depth = (1 - 2 * DepthGeometry.InverseRescale(d.Depth, c.MinDepth, c.MaxDepth)).clamp(-1, 1).unsqueeze(1).expand(-1, 3, -1, -1);
            RunSamples.Write(outDir, "samples", step, cat([input, main.Render.Image, flip.Render.Image, depth, d.Albedo], 0), 8, tb,
                "input | recon | recon flipped | depth | albedo");
            tb?.add_histogram("view/yaw_degrees", d.AnglesDegrees()[.., 1], (int)step);
        }
        finally { model.Train(true); }
    }
}
