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
/// on them): the StyleGAN2 teacher (forward + backward to w, and forward only), the renderer (shaded render forward +
/// backward, and forward only), the perceptual network, the face embedding, and the whole step. A step runs the teacher
/// 2× with gradients (canonical image, pass 2) and 2× without (input, regenerated), the renderer 3× with gradients (main,
/// flipped, perturbed) and 1× without (pass 2), the perceptual loss 4× on the image side (with gradients) against 3 constant
/// targets (features without gradients; the teacher image is the target of both reconstruction terms), the embedding 2×.
/// </summary>
public static class LiftingBenchmark
{
    public static LiftingBenchResult Run(LiftingConfig preset, GeneratorConfig teacherConfig, int steps, int repeats, bool withEmbedding)
    {
        var config = preset.ForTeacher(teacherConfig.StyleDim);
        using var teacher = new StyleGenerator(teacherConfig, new torch.Generator(1));
        var model = new LiftedGenerator(teacher, config);
        var statistics = StyleStatistics.Compute(teacher, 1000, 1);
        var perceptual = new PerceptualLoss(Vgg16Features.RandomFeatures(0), scales: config.PerceptualScales);
        IFaceEmbedding? embedding = withEmbedding ? new LResNetFaceEmbedding() : null;
        using var trainer = new LiftingTrainer(model, statistics, perceptual, embedding);
        int b = config.BatchSize, s = config.ImageSize;
        var g = new torch.Generator(2);

        using var fixedTarget = perceptual.Features(torch.rand(b, 3, s, s, generator: g) * 2 - 1);
        using var depth = DepthGeometry.Rescale(torch.rand(b, s, s, generator: g) * 0.2 - 0.1, config.MinDepth, config.MaxDepth);
        var parts = new List<(string Name, int Calls, Action Run)>
        {
            ("StyleGAN2 teacher", 2, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g).requires_grad_(true);
                var (image, _) = model.Synthesize(w);
                image.sum().backward();
            }),
            ("StyleGAN2 (no grad)", 2, () =>
            {
                using var _ = no_grad();
                model.Synthesize(randn(new long[] { b, config.StyleDim }, generator: g));
            }),
            ("renderer", 3, () =>
            {
                var d = depth.detach().requires_grad_(true);
                var albedo = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                var light = (torch.rand(b, 4, generator: g) - 0.5).requires_grad_(true);
                var view = ((torch.rand(b, 6, generator: g) - 0.5) * 0.5).requires_grad_(true);
                using var r = model.Render(d, albedo, light, view, null);
                r.Render.Image.sum().backward();
            }),
            ("renderer (no grad)", 1, () =>
            {
                using var _ = no_grad();
                using var r = model.Render(depth, torch.rand(b, 3, s, s, generator: g) * 2 - 1, torch.rand(b, 4, generator: g) - 0.5,
                    (torch.rand(b, 6, generator: g) - 0.5) * 0.5, null);
            }),
            // Per step: 4 perceptual terms, each a rendered image with gradient against a constant target; 3 distinct
            // targets (the teacher image is shared by the reconstruction and its flip), so 3 target feature passes.
            ("perceptual, image side", 4, () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                perceptual.Compute(x, fixedTarget).backward();
            }),
            ("perceptual, target", 3, () =>
            {
                var y = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
                using var target = perceptual.Features(y);
            }),
        };
        if (embedding != null)
            parts.Add(("face embedding", 2, () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                embedding.Embed(x).sum().backward();
            }));
        parts.Add(("step", 1, () => trainer.Step()));

        // Interleaved rounds (every part once per round, after one warm-up round), so a change in machine load hits
        // all parts alike; medians over rounds.
        var times = parts.Select(_ => new List<double>()).ToList();
        for (int round = 0; round <= Math.Max(1, Math.Max(steps, repeats)); round++)
            for (int i = 0; i < parts.Count; i++)
            {
                using var scope = NewDisposeScope();
                var sw = Stopwatch.StartNew();
                parts[i].Run();
                if (round > 0) times[i].Add(sw.Elapsed.TotalMilliseconds);
            }
        var components = parts.Take(parts.Count - 1).Select((p, i) => new LiftingBenchComponent(p.Name, Median(times[i]), p.Calls)).ToList();
        return new LiftingBenchResult(config.Preset, b, Median(times[^1]), components, Process.GetCurrentProcess().PeakWorkingSet64);
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
