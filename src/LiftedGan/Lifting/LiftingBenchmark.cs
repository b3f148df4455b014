using System.Diagnostics;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>One component of a lifting step: its median forward+backward time and how often a step runs it.</summary>
public sealed record LiftingBenchComponent(string Name, double Milliseconds, int CallsPerStep)
{
    public double PerStepMilliseconds => Milliseconds * CallsPerStep;
}

/// <summary>A measured lifting step at one preset, split into components, with the process's peak memory.</summary>
public sealed record LiftingBenchResult(string Preset, int Batch, double StepMilliseconds, IReadOnlyList<LiftingBenchComponent> Components, long PeakWorkingSetBytes)
{
    /// <summary>The step time not explained by the timed components (losses, estimate networks, optimiser).</summary>
    public double RestMilliseconds => StepMilliseconds - Components.Sum(c => c.PerStepMilliseconds);
}

/// <summary>
/// Times a LiftedGAN training step and its parts, side by side in one run, with random weights (speed does not depend
/// on them): the StyleGAN2 teacher (forward + backward to w), the renderer (shaded render forward + backward), the
/// perceptual network, the face embedding, and the whole step. A step runs the teacher 4× (input, canonical,
/// regenerated, pass 2), the renderer 4× (main, flipped, perturbed, pass 2), the perceptual loss 4× and the embedding 2×.
/// </summary>
public static class LiftingBenchmark
{
    public static LiftingBenchResult Run(LiftingConfig preset, GeneratorConfig teacherConfig, int steps, int repeats, bool withEmbedding)
    {
        var config = preset.ForTeacher(teacherConfig.StyleDim);
        torch.manual_seed(1);
        using var teacher = new StyleGenerator(teacherConfig, new torch.Generator(1));
        var model = new LiftedGenerator(teacher, config);
        var statistics = StyleStatistics.Compute(teacher, 1000, 1);
        var perceptual = new PerceptualLoss(Vgg16Features.RandomFeatures(0), scales: config.PerceptualScales);
        IFaceEmbedding? embedding = withEmbedding ? new LResNetFaceEmbedding() : null;
        using var trainer = new LiftingTrainer(model, statistics, perceptual, embedding);
        int b = config.BatchSize, s = config.ImageSize;
        var g = new torch.Generator(2);

        var components = new List<LiftingBenchComponent>
        {
            new("StyleGAN2 teacher", Median(repeats, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g).requires_grad_(true);
                var (image, _) = model.Synthesize(w);
                image.sum().backward();
            }), 4),
        };
        using (var depth = DepthGeometry.Rescale(torch.rand(b, s, s, generator: g) * 0.2 - 0.1, config.MinDepth, config.MaxDepth))
        {
            components.Add(new("renderer", Median(repeats, () =>
            {
                var d = depth.detach().requires_grad_(true);
                var albedo = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                var light = (torch.rand(b, 4, generator: g) - 0.5).requires_grad_(true);
                var view = ((torch.rand(b, 6, generator: g) - 0.5) * 0.5).requires_grad_(true);
                using var r = model.Render(d, albedo, light, view, null);
                r.Render.Image.sum().backward();
            }), 4));
        }
        components.Add(new("perceptual (VGG16)", Median(repeats, () =>
        {
            var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
            var y = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
            perceptual.Compute(x, y).backward();
        }), 4));
        if (embedding != null)
            components.Add(new("face embedding", Median(repeats, () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                embedding.Embed(x).sum().backward();
            }), 2));

        trainer.Step(); // warm-up
        double step = Median(steps, () => trainer.Step());
        return new LiftingBenchResult(config.Preset, b, step, components, Process.GetCurrentProcess().PeakWorkingSet64);
    }

    static double Median(int repeats, Action action)
    {
        using (var warm = NewDisposeScope()) action();
        var times = new List<double>();
        for (int i = 0; i < Math.Max(1, repeats); i++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
