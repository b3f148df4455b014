using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// One resumable training run of the <see cref="PoseDepthEstimator"/> on the procedural face world's exact truth:
/// loss = mean |Δdepth| / 0.01 over all pixels + BCE of the foreground + mean |Δangle| / 10° (each term about unit
/// scale at the start). Every step draws its batch from a generator seeded by (run seed, step), so a run resumed from
/// a checkpoint continues exactly as an uninterrupted one.
/// </summary>
public sealed class PoseDepthTrainer : ITrainable, IDisposable
{
    readonly AdamOptimizer _adam;

    /// <summary>A fresh run (weights from <see cref="PoseDepthTrainingOptions.Seed"/>).</summary>
    public PoseDepthTrainer(PoseDepthTrainingOptions options)
    {
        if (options.Steps < 1 || options.Batch < 1) throw new EvaluationException("options", $"steps {options.Steps} and batch {options.Batch} must be at least 1");
        TorchRuntime.EnsureLoaded();
        Options = options;
        Net = SeededInit.Apply(new PoseDepthEstimator(options.Size, options.Width), options.Seed);
        Net.train();
        _adam = new AdamOptimizer(Net.parameters(), options.LearningRate, 0.9, 0.999);
    }

    public PoseDepthTrainingOptions Options { get; }
    /// <summary>Set by a benchmark: the wall time of each part of every step (`bench train`); null in training.</summary>
    public StepProfile? Profile { get; set; }
    /// <summary>The network being trained; it outlives the trainer (the caller disposes it).</summary>
    public PoseDepthEstimator Net { get; }
    /// <summary>Steps done so far.</summary>
    public int Step { get; private set; }
    public bool Finished => Step >= Options.Steps;
    long ITrainable.StepsDone => Step;

    /// <summary>Each step's randomness: a generator seeded by (run seed, step number from 1).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => StepSeed(Options.Seed, i + 1));

    /// <summary>Runs the next step and returns its loss (a non-finite one throws <see cref="TrainingDivergedException"/>).</summary>
    public double TrainStep() => TrainingLoop.RunStep(this, Randomness)["loss"];

    IReadOnlyDictionary<string, double> ITrainable.Step(Generator generator)
    {
        Step++;
        Profile?.Begin();
        using var scope = NewDisposeScope();
        using var faces = FaceWorld.SampleBatch(Options.Batch, Options.Size, generator);
        Profile?.Lap("data (world renders)");
        var (depth, maskLogit, angles) = Net.call(faces.Images);
        var loss = (depth - faces.RenderedDepth).abs().mean() / 0.01
            + nn.functional.binary_cross_entropy_with_logits(maskLogit, faces.RenderedMask.clamp(0, 1))
            + (angles - faces.View[.., ..3] * (180 / Math.PI)).abs().mean() / 10;
        Profile?.Lap("forward, loss");
        _adam.ZeroGrad();
        loss.backward();
        Profile?.Lap("backward");
        _adam.Step();
        Profile?.Lap("optimiser");
        var scalars = new Dictionary<string, double> { ["loss"] = loss.item<float>() };
        Profile?.End();
        return scalars;
    }

    /// <summary>
    /// Writes the estimator file <see cref="PoseDepthTraining.Load"/> reads, plus the optimiser state, step and
    /// options needed to resume (atomically: a crash leaves the previous checkpoint).
    /// </summary>
    public void Save(string path) => EstimatorFile.SaveRun(path, PoseDepthTraining.ToCheckpoint(Net), _adam, Step, Options);

    /// <summary>Continues the run saved at <paramref name="path"/>; its options must equal <paramref name="options"/> except the step count.</summary>
    public static PoseDepthTrainer Resume(string path, PoseDepthTrainingOptions options)
    {
        var (trainer, step) = EstimatorFile.Resume(path, options, "estimator", o => o with { Steps = options.Steps }, o => new PoseDepthTrainer(o),
            (t, root, optimizer) =>
            {
                PoseDepthTraining.LoadWeights(t.Net, root, path);
                AdamStateDict.Restore(t._adam, optimizer, path, "optimizer");
            },
            t => { t.Dispose(); t.Net.Dispose(); });
        trainer.Step = step;
        return trainer;
    }

    static ulong StepSeed(long seed, long step) => unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL);

    /// <summary>Frees the optimiser state (not <see cref="Net"/>).</summary>
    public void Dispose() => _adam.Dispose();
}
