using LiftedGan.Checkpoints;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Settings of <see cref="PoseDepthTraining.Train"/>.</summary>
public sealed record PoseDepthTrainingOptions
{
    public int Size { get; init; } = 64;
    public long Width { get; init; } = 32;
    public int Steps { get; init; } = 2000;
    public int Batch { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Seed of initialisation and of the training stream (held-out evaluation uses another seed).</summary>
    public long Seed { get; init; } = 1;
}

/// <summary>
/// Trains, runs, saves and loads the <see cref="PoseDepthEstimator"/> (training itself: <see cref="PoseDepthTrainer"/>).
/// </summary>
public static class PoseDepthTraining
{
    /// <summary>Trains a new estimator in one go; <paramref name="progress"/> gets (step, loss) after every step.</summary>
    public static PoseDepthEstimator Train(PoseDepthTrainingOptions o, Action<int, double>? progress = null)
    {
        using var trainer = new PoseDepthTrainer(o);
        EstimatorFile.Train(trainer, trainer.Randomness, o.Steps, progress);
        trainer.Net.eval();
        return trainer.Net;
    }

    /// <summary>
    /// Trains <paramref name="trainer"/> to its step count as a resumable file run: the checkpoint <paramref name="path"/>
    /// is rewritten every <paramref name="checkpointEvery"/> steps and at the end, with PATH.loss.csv (step,loss; rows
    /// past a resumed checkpoint dropped) written beside it each time.
    /// </summary>
    public static void Run(PoseDepthTrainer trainer, string path, int checkpointEvery, Action<StepProgress>? progress = null) =>
        EstimatorFile.Run(trainer, trainer.Randomness, trainer.Options.Steps, path, trainer.Save, checkpointEvery, progress);

    /// <summary>Runs the estimator without gradients: depth, foreground (logit &gt; 0) and angles in degrees.</summary>
    public static DepthPosePrediction Predict(PoseDepthEstimator net, Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (depth, logit, angles) = net.call(images);
        return new DepthPosePrediction(depth.MoveToOuterDisposeScope(), logit.gt(0).to(ScalarType.Float32).MoveToOuterDisposeScope(),
            angles.MoveToOuterDisposeScope());
    }

    /// <summary>Saves the estimator (PyTorch zip: {'pose_depth_estimator': state dict, 'input_size', 'width'}).</summary>
    public static void Save(string path, PoseDepthEstimator net) => TorchCheckpoint.Save(path, ToCheckpoint(net));

    /// <summary>The checkpoint dict <see cref="Save"/> writes.</summary>
    internal static PyDict ToCheckpoint(PoseDepthEstimator net) => EstimatorFile.Network("pose_depth_estimator", net, net.InputSize, net.Width);

    /// <summary>Loads an estimator saved by <see cref="Save"/> (eval mode, frozen).</summary>
    public static PoseDepthEstimator Load(string path) =>
        EstimatorFile.LoadFrozen(path, "pose_depth_estimator", "estimator", (size, width) => new PoseDepthEstimator(size, width));

    /// <summary>Copies the 'pose_depth_estimator' state dict of a loaded checkpoint into <paramref name="net"/> (strictly).</summary>
    internal static void LoadWeights(PoseDepthEstimator net, PyDict root, string path) =>
        EstimatorFile.LoadWeights(net, root, "pose_depth_estimator", "estimator", path);

    /// <summary>
    /// Profiles <paramref name="steps"/> training steps of a fresh estimator with <paramref name="options"/> (the shipped
    /// estimator's by default: 64 px, width 16, batch 16) after one warm-up step.
    /// </summary>
    public static TrainerProfile Profile(int steps, PoseDepthTrainingOptions? options = null)
    {
        var o = (options ?? new PoseDepthTrainingOptions { Size = 64, Width = 16, Batch = 16 }) with { Steps = steps + 1 };
        using var trainer = new PoseDepthTrainer(o);
        using var net = trainer.Net;
        var profile = new StepProfile { Warmup = 1 };
        trainer.Profile = profile;
        for (int i = 0; i <= steps; i++) trainer.TrainStep();
        return TrainerProfile.From("pose-and-depth estimator", $"{o.Size} px, width {o.Width}, batch {o.Batch}", profile);
    }
}
