using System.Diagnostics;
using LiftedGan.Data;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>A timed Unsup3d training step and its forward parts (median milliseconds), with the process's peak memory.</summary>
public sealed record Unsup3dBenchResult(int ImageSize, long Channels, int Batch, double StepMilliseconds, double DecomposeMilliseconds,
    double RenderMilliseconds, double ConfidenceMilliseconds, double PerceptualMilliseconds, long PeakWorkingSetBytes);

/// <summary>
/// Times Unsup3d's training step with random weights and random images (speed does not depend on them): the whole step
/// (forward, backward, Adam), and without gradients the decomposition (four networks), one shaded render, the
/// confidence network and one VGG16 relu3_3 pass.
/// </summary>
public static class Unsup3dBenchmark
{
    public static Unsup3dBenchResult Run(Unsup3dConfig config, int steps, int repeats)
    {
        using var model = new Unsup3dModel(config);
        using var perceptual = Unsup3dTrainer.PerceptualNetwork(Vgg16Features.RandomFeatures(0));
        using var trainer = new Unsup3dTrainer(model, new RandomImages(config.ImageSize), perceptual);
        var g = new Generator(2);
        using var images = rand([config.BatchSize, 3, config.ImageSize, config.ImageSize], generator: g) * 2 - 1;
        static double Time(int count, Action body) => LiftingBenchmark.MedianMilliseconds(count, body);
        double step = Time(steps, () => trainer.Step());
        double decompose, render, confidence, vgg;
        using (no_grad())
        {
            using var d = model.Decompose(images);
            decompose = Time(repeats, () => model.Decompose(images).Dispose());
            render = Time(repeats, () => model.Render(d).Dispose());
            confidence = Time(repeats, () => model.Confidence?.forward(images));
            vgg = Time(repeats, () => perceptual.Maps(images));
        }
        return new Unsup3dBenchResult(config.ImageSize, config.Channels, config.BatchSize, step, decompose, render, confidence, vgg,
            Process.GetCurrentProcess().PeakWorkingSet64);
    }

    sealed class RandomImages(int size) : IImageSource
    {
        public string Describe() => $"uniform noise {size} px";
        public int? Resolution => size;
        public long? Available => null;
        public bool IsRandom => true;
        public Tensor Next(int n, Generator g) => rand([n, 3, size, size], generator: g) * 2 - 1;
    }
}
