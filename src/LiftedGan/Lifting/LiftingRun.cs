using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>A run folder or input that cannot be used; raised before any training starts.</summary>
public sealed class LiftingSetupException(string what, string problem) : RunSetupException(what, problem);

/// <summary>Inputs of a lifting run: the teacher checkpoint, optional VGG16 and face-embedding files, the run folder.</summary>
public sealed record LiftingInputs(string TeacherPath, string OutDir, string? VggPath = null, string? FaceEmbeddingPath = null);

/// <summary>
/// A measurement taken every <paramref name="Every"/> steps during a run (e.g. the exact-truth errors of a lift on a
/// world-fit teacher), logged beside the losses to TensorBoard (<c>truth/NAME</c>) and RUN/probe.csv. It must draw its
/// own randomness so that the run's steps stay what they are without it.
/// </summary>
public sealed record LiftingProbe(int Every, Func<LiftedGenerator, IReadOnlyDictionary<string, double>> Measure);

/// <summary>Progress of a lifting run, reported after every step.</summary>
public sealed record LiftingProgress(long Step, long TotalSteps, int Epoch, IReadOnlyDictionary<string, double> Losses, double StepsPerSecond);

/// <summary>
/// A lifting run on disk, like the official log folder: RUN/checkpoint_NNN.pth (official layout, NNN = epoch; the
/// current epoch's file is refreshed every <c>checkpointEvery</c> steps; the newest 5 kept), RUN/liftedgan_config.json,
/// RUN/samples/STEP.png (reconstruction | canonical image grids for fixed latents) and RUN/tb (TensorBoard scalars,
/// histograms and images). An existing run resumes from its newest checkpoint.
/// </summary>
public static class LiftingRun
{
    /// <summary>RUN/checkpoint_NNN.pth (NNN = epoch), the newest 5 kept.</summary>
    public static readonly CheckpointNaming Checkpoints = new("", "checkpoint_", 3, ".pth", Keep: 5);

    /// <summary>The newest RUN/checkpoint_NNN.pth by number, or null.</summary>
    public static string? LatestCheckpoint(string outDir) => new RunFolder(outDir, Checkpoints).LatestCheckpoint();

    /// <summary>
    /// Builds the trainer after checking every input: the run folder is writable, the teacher fits the preset, the
    /// VGG16 and face-embedding files load. Without VGG16 weights the random-feature substitute is used and
    /// <paramref name="warn"/> says so; without a face embedding the identity term is off (warned too). A resumed run keeps
    /// the config stored beside its checkpoint, with <paramref name="overrides"/> (the settings the user gave) applied;
    /// its objective cannot change. The <see cref="LiftingObjective.SupervisedTruth"/> objective needs a world-fit teacher
    /// (its args say objective world_fit, and <see cref="TruthSupervision.CheckTeacher"/> holds) and loads neither
    /// VGG16 nor the face embedding.
    /// </summary>
    public static LiftingTrainer Open(LiftingConfig preset, LiftingInputs inputs, Action<string> warn, string? resumeFrom = null,
        Func<LiftingConfig, LiftingConfig>? overrides = null, Action<string>? log = null)
    {
        new RunFolder(inputs.OutDir, Checkpoints).EnsureWritable();
        RunLock.ThrowIfHeld(RunLock.ForFolder(inputs.OutDir));
        string? checkpoint = resumeFrom ?? LatestCheckpoint(inputs.OutDir);
        var stored = checkpoint is null ? null : LiftedCheckpoint.ReadConfigBeside(checkpoint);
        var config = stored ?? preset;
        if (overrides is not null) config = overrides(config);
        if (!config.ResidualComposer && stored is { ResidualComposer: true })
            throw new LiftingSetupException(checkpoint!, "its composer is a residual one (composer_residual=1): resumed without it, the composer's output would replace the style");
        if (stored is not null && stored.Objective != config.Objective)
            throw new LiftingSetupException(checkpoint!, $"the run was trained with objective {stored.Objective.Name()}; it cannot continue with {config.Objective.Name()}");
        if (config.SettingsProblem() is { } problem) throw new LiftingSetupException("the run's settings", problem);
        bool supervised = config.Objective == LiftingObjective.SupervisedTruth;
        if (!File.Exists(inputs.TeacherPath)) throw new LiftingSetupException(inputs.TeacherPath, "StyleGAN2 checkpoint not found");
        if (inputs.VggPath is not null && !File.Exists(inputs.VggPath)) throw new LiftingSetupException(inputs.VggPath, "VGG16 checkpoint not found");
        if (inputs.FaceEmbeddingPath is not null && !File.Exists(inputs.FaceEmbeddingPath))
            throw new LiftingSetupException(inputs.FaceEmbeddingPath, "face-embedding checkpoint not found");

        if (supervised && StyleGanCheckpoint.ReadObjective(inputs.TeacherPath) != TrainObjective.WorldFit)
            throw new LiftingSetupException(inputs.TeacherPath, "not a world-fit teacher (its args do not say objective world_fit): " +
                "its samples have no exact truth for the supervised-truth objective (train a StyleGAN2 with the world-fit objective)");
        var teacher = StyleGanCheckpoint.LoadGenerator(inputs.TeacherPath);
        config = config.ForTeacher(teacher.Config.StyleDim);
        if (teacher.Config.Size != config.ImageSize)
            throw new LiftingSetupException(inputs.TeacherPath, $"a {teacher.Config.Size} px StyleGAN2 does not fit preset {config.Preset} ({config.ImageSize} px)");
        if (supervised) TruthSupervision.CheckTeacher(config, teacher.Config.StyleDim, inputs.TeacherPath);

        PerceptualLoss? perceptual = null;
        IFaceEmbedding? embedding = null;
        if (supervised)
        {
            if (inputs.VggPath is not null || inputs.FaceEmbeddingPath is not null)
                warn("the supervised-truth objective uses neither VGG16 weights nor a face embedding: they are ignored");
        }
        else
        {
            Vgg16Features vgg;
            if (inputs.VggPath is not null) vgg = PretrainedNetworks.LoadVgg16(inputs.VggPath);
            else
            {
                warn("no VGG16 weights: the perceptual loss uses the documented substitute (VGG16 with fixed random He-initialised features)");
                vgg = Vgg16Features.RandomFeatures(config.Seed);
            }
            perceptual = PerceptualLoss.For(config, vgg);
            if (config.IdentityWeight > 0 || config.SourceIdentityWeight > 0)
            {
                if (inputs.FaceEmbeddingPath is null) warn("no face embedding: the identity terms are off for this run");
                else embedding = PretrainedNetworks.LoadFaceEmbedding(inputs.FaceEmbeddingPath);
            }
        }

        var model = new LiftedGenerator(teacher, config);
        var statistics = StyleStatistics.Compute(teacher, config.StatisticsSamples, config.Seed);
        var trainer = new LiftingTrainer(model, statistics, perceptual, embedding);
        if (checkpoint is not null)
        {
            var missing = trainer.Resume(checkpoint);
            if (missing.Contains(LiftedGenerator.ViewEncoderKey) && config.ViewWarmupSteps > 0)
            {
                // A trained lift gains the image view encoder: it first learns the composer's angles (its cycle targets).
                double error = ViewEncoderWarmup.Run(model, statistics, config.ViewWarmupSteps, config.Seed);
                log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"view encoder warm start: {config.ViewWarmupSteps} steps, rotation error on the composer's images {Math.Sqrt(error) * ViewTransform.RotationRangeDegrees:F2}° rms"));
            }
            if (missing.Contains(LiftedGenerator.RollEncoderKey) && model.RollEncoder is not null)
            {
                // The roll's own encoder starts as the view encoder (trained, or just warm-started above), so the view is
                // nearly unchanged at first (netVR sees the disc).
                model.StartRollEncoderFromViewEncoder();
                log?.Invoke("roll encoder (netVR) started as a copy of the view encoder (netVI)");
            }
            if (config.ResidualComposer && stored is { ResidualComposer: false })
            {
                // The stored composer replaced the style; as a residual its output would be added to w: start it at zero.
                trainer.ResetOptimizerState(model.Composer.ZeroOutput());
                log?.Invoke("composer re-started as a residual: its output layer zeroed (M(w, L, V) = w at first), that layer's optimiser state cleared");
                if (config.ResidualWarmupSteps > 0)
                {
                    double error = ResidualComposerWarmup.Run(model, statistics, config.ResidualWarmupSteps, config.Seed);
                    var inv = System.Globalization.CultureInfo.InvariantCulture;
                    log?.Invoke(config.ResidualWarmupLinear
                        ? string.Create(inv, $"residual composer warm start: {config.ResidualWarmupSteps} steps on the linear pose-and-light edit, relative error {error:F4}")
                        : string.Create(inv, $"residual composer warm start: {config.ResidualWarmupSteps} steps, parameter-cycle error {error:F4}"));
                }
            }
        }
        else if (config.ComposerWarmupSteps > 0)
        {
            double error = ComposerWarmup.Run(model, statistics, config.ComposerWarmupSteps, config.Seed);
            log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"composer warm start: {config.ComposerWarmupSteps} steps, relative error of M(w, L0, 0) against w {error:F4}"));
        }
        return trainer;
    }

    /// <summary>
    /// Trains to Epochs × StepsPerEpoch steps (or cancellation) in a <see cref="TrainingLoop"/>. A diverged step stops
    /// the run with the last good checkpoint kept (the exception propagates).
    /// </summary>
    public static void Run(LiftingTrainer trainer, string outDir, int checkpointEvery = 500, Action<LiftingProgress>? progress = null,
        CancellationToken cancel = default, LiftingProbe? probe = null)
    {
        var c = trainer.Config;
        long total = (long)c.Epochs * c.StepsPerEpoch;
        var loop = new TrainingLoop(trainer, trainer.Randomness, total)
        {
            TensorBoardDir = Path.Combine(outDir, "tb"),
            LockFile = RunLock.ForFolder(outDir),
            LogFirstStep = true,
            TagPrefix = "loss/",
            Checkpoints = new CheckpointSchedule(checkpointEvery, step =>
            {
                if (step % c.StepsPerEpoch == 0) trainer.Epoch = (int)(step / c.StepsPerEpoch);
                Save(trainer, outDir);
            }, AlsoWhen: step => step % c.StepsPerEpoch == 0),
            Progress = progress is null ? null : p => progress(new LiftingProgress(p.Step, p.TotalSteps, trainer.Epoch, p.Scalars, p.StepsPerSecond)),
        };
        loop.Hooks.Add(new StepHook(step => (step - 1) % c.SummaryInterval == 0, (_, tb) => WriteSummary(trainer, outDir, tb!)));
        if (probe is not null)
            loop.Hooks.Add(TrainingLoop.Measurement(probe.Every, "truth/", CsvLog.Appending(Path.Combine(outDir, "probe.csv")), () => probe.Measure(trainer.Model)));
        loop.Run(cancel);
    }

    /// <summary>Writes checkpoint_NNN.pth for the epoch in progress (NNN = completed epochs, +1 mid-epoch); keeps the newest 5.</summary>
    public static string Save(LiftingTrainer trainer, string outDir)
    {
        int number = trainer.Epoch + (trainer.GlobalStep % trainer.Config.StepsPerEpoch == 0 ? 0 : 1);
        return new RunFolder(outDir, Checkpoints).SaveCheckpoint(number, trainer.SaveCheckpoint);
    }

    /// <summary>
    /// RUN/samples/STEP.png for 8 fixed latents: teacher image, reconstruction, canonical image and canonical depth; a
    /// supervised run samples at truncation 1 and adds the true canonical depth as a fifth row.
    /// </summary>
    static void WriteSummary(LiftingTrainer trainer, string outDir, TorchSharp.Modules.SummaryWriter tb)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var g = new torch.Generator((ulong)trainer.Config.Seed + 7);
        Tensor w, input;
        Tensor? trueDepth = null;
        if (trainer.Config.Objective == LiftingObjective.SupervisedTruth)
        {
            (w, var sampled) = trainer.SampleTruth(8, g);
            using var truth = sampled;
            input = trainer.Model.Synthesize(w).Image.clamp(-1, 1);
            trueDepth = DepthGeometryImage(truth.CanonicalDepth, trainer.Config);
        }
        else (w, input) = trainer.SampleTeacher(8, g);
        using var est = trainer.Model.Estimate(w);
        using var render = trainer.Model.Render(est.Depth, est.Albedo, est.Light, est.View, est.TransformationMap);
        var depth = DepthGeometryImage(est.Depth, trainer.Config);
        var parts = new List<Tensor> { input, render.Render.Image.clamp(-1, 1), est.CanonicalImage.clamp(-1, 1), depth };
        if (trueDepth is not null) parts.Add(trueDepth);
        RunSamples.Write(outDir, "samples", trainer.GlobalStep, cat(parts, 0), 8, tb,
            trueDepth is null ? "input | recon | canonical | depth" : "input | recon | canonical | depth | true depth");
        tb.add_histogram("view/yaw_degrees", est.View[.., 1] * LiftedGan.Rendering.ViewTransform.RotationRangeDegrees, (int)trainer.GlobalStep);
        tb.add_histogram("light/ambient", est.Light[.., 0] / 2 + 0.5, (int)trainer.GlobalStep);
    }

    /// <summary>A depth map as a grey image in [−1, 1] (near = bright), 3 channels.</summary>
    public static Tensor DepthGeometryImage(Tensor depth, LiftingConfig c) =>
        (1 - 2 * (depth - c.MinDepth) / (c.MaxDepth - c.MinDepth)).clamp(-1, 1).unsqueeze(1).expand(-1, 3, -1, -1);
}
