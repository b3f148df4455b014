using System.Diagnostics;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// One component of a lifting step: its median time per call (forward + backward where the step takes its gradient),
/// how often a step runs it, and its convolution FLOPs per call (2 x the forward multiply-accumulates, x 2 with a
/// backward pass through frozen weights (input gradient only), x 3 where the weights train too).
/// </summary>
public sealed record LiftingBenchComponent(string Name, double Milliseconds, int CallsPerStep, double ConvFlops)
{
    public double PerStepMilliseconds => Milliseconds * CallsPerStep;

    /// <summary>Convolution FLOPs per second achieved in this component.</summary>
    public double FlopsPerSecond => ConvFlops / (Milliseconds / 1000);
}

/// <summary>
/// The perceptual network in float32 and bfloat16 (<see cref="LiftingBenchmark.PerceptualPrecision"/>): median
/// milliseconds per call of each side and each type, and the bfloat16 results' relative errors against float32.
/// </summary>
public sealed record PrecisionBenchResult(string Preset, int Batch, int ImageSize, double ImageSideSingleMs, double ImageSideHalfMs,
    double TargetSingleMs, double TargetHalfMs, double FeatureRelativeError, double LossRelativeError, double GradientRelativeError,
    double GradientCosine);

/// <summary>A measured lifting step at one preset, split into components, with the process's peak memory.</summary>
/// <remarks><see cref="TwoPassStepMilliseconds"/>: the same step in the official order (two backward passes, G(w') and its
/// VGG16 features computed twice), timed in the same rounds.</remarks>
public sealed record LiftingBenchResult(string Preset, int Batch, double StepMilliseconds, IReadOnlyList<LiftingBenchComponent> Components,
    long PeakWorkingSetBytes, double MatmulFlopsPerSecond, double TwoPassStepMilliseconds)
{
    /// <summary>The step time not explained by the timed components (the remaining small losses, bookkeeping).</summary>
    public double RestMilliseconds => StepMilliseconds - Components.Sum(c => c.PerStepMilliseconds);

    /// <summary>
    /// The same step timed stage by stage from inside (<see cref="LiftingTrainer.Profile"/>: forward stages in order,
    /// the one backward pass, the optimiser), over separate steps after the interleaved rounds; its rest is what no
    /// stage covers.
    /// </summary>
    public TrainerProfile? Stages { get; init; }
}

/// <summary>The leak test's samples (step, resident bytes), the growth per 1,000 steps over the second half, seconds per step and the peak.</summary>
public sealed record LiftingLeakResult(string Preset, int Steps, IReadOnlyList<(long Step, long Bytes)> Samples, double GrowthBytesPer1000Steps,
    double SecondsPerStep, long PeakWorkingSetBytes);

/// <summary>
/// Times a LiftedGAN training step and every part of it, side by side in one run, with random weights (speed does not
/// depend on them). Per step (<see cref="LiftingTrainer"/>): the teacher's mapping once and its synthesis once without
/// gradients (input) and 2x with (canonical image, G(w') of the perturbation term); the decomposer 2x and the composer
/// 2x; the depth and transformation-map decoders once; the estimate's maps (blur, normals, shading, de-lighting) once;
/// the renderer 3x with gradients (main, flipped, perturbed) and 1x without (the sampled view of part (a)); the
/// perceptual network 4x with gradients (main, flipped and perturbed renders, G(w')) and 2x on constant targets (the
/// teacher image, shared by both reconstruction terms; the sampled-view render), G(w')'s features serving part (b) as
/// a constant; the
/// albedo-rank nuclear norm once; the losses and glue between the networks (masks, flips, pixel L1 terms, the
/// perturbation draw, parameter cycle, smoothness) once; the face embedding 2x where the preset uses it; the optimiser (finite-gradient checks
/// and Adam) once; and the whole step. Also measures a 2048² float32 matrix product, the machine's reference peak.
/// </summary>
public static class LiftingBenchmark
{
    public static LiftingBenchResult Run(LiftingConfig preset, GeneratorConfig teacherConfig, int steps, int repeats, bool withEmbedding)
    {
        using var bench = new RandomTrainer(preset, teacherConfig, withEmbedding);
        var (config, trainer, model, perceptual, embedding) = (bench.Config, bench.Trainer, bench.Trainer.Model, bench.Trainer.Perceptual!, bench.Trainer.FaceEmbedding);
        int b = config.BatchSize, s = config.ImageSize;
        long featureChannels = teacherConfig.ChannelsAt(s);
        var g = new torch.Generator(2);
        // The optimiser part steps a copy of the trainer's Adam over the same parameters, with gradients set once.
        var trainable = model.TrainableParameters().ToList();
        foreach (var p in trainable) p.grad = torch.randn_like(p) * 1e-3;
        using var adam = new AdamOptimizer(trainable, config.LearningRate, 0.9, 0.999, 1e-8, config.WeightDecay);

        using var fixedTarget = perceptual.Features(torch.rand(b, 3, s, s, generator: g) * 2 - 1);
        using var depth = DepthGeometry.Rescale(torch.rand(b, s, s, generator: g) * 0.2 - 0.1, config.MinDepth, config.MaxDepth);
        // FlopFactor: 1 forward only, 2 with the input gradient through frozen weights, 3 with weight gradients too.
        var parts = new List<(string Name, int Calls, Action Run, int FlopFactor)>
        {
            ("StyleGAN2 teacher", 2, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g).requires_grad_(true);
                var (image, _) = model.Synthesize(w);
                image.sum().backward();
            }, 2),
            ("StyleGAN2 (no grad)", 1, () =>
            {
                using var _ = no_grad();
                model.Synthesize(randn(new long[] { b, config.StyleDim }, generator: g));
            }, 1),
            ("renderer", 3, () =>
            {
                var d = depth.detach().requires_grad_(true);
                var albedo = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                var light = (torch.rand(b, 4, generator: g) - 0.5).requires_grad_(true);
                var view = ((torch.rand(b, 6, generator: g) - 0.5) * 0.5).requires_grad_(true);
                using var r = model.Render(d, albedo, light, view, null);
                r.Render.Image.sum().backward();
            }, 2),
            ("renderer (no grad)", 1, () =>
            {
                using var _ = no_grad();
                using var r = model.Render(depth, torch.rand(b, 3, s, s, generator: g) * 2 - 1, torch.rand(b, 4, generator: g) - 0.5,
                    (torch.rand(b, 6, generator: g) - 0.5) * 0.5, null);
            }, 1),
            ("decomposer", 2, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g).requires_grad_(true);
                var (light, view) = model.LightAndView(w);
                (light.sum() + view.sum()).backward();
            }, 3),
            ("composer", 2, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g);
                var output = model.Composer.forward(w, torch.rand(b, 4, generator: g) - 0.5, (torch.rand(b, 6, generator: g) - 0.5) * 0.5);
                output.sum().backward();
            }, 3),
            ("depth + T decoders", 1, () =>
            {
                var w = randn(new long[] { b, config.StyleDim }, generator: g).requires_grad_(true);
                var feature = randn(new long[] { b, featureChannels, s, s }, generator: g).requires_grad_(true);
                (model.DepthDecoder.forward(w, feature).sum() + model.TransformationDecoder.forward(w).sum()).backward();
            }, 3),
            ("estimate maps", 1, () =>
            {
                var d = depth.detach().requires_grad_(true);
                var image = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                var trans = torch.rand(b, 1, s, s, generator: g).requires_grad_(true);
                using var light = Lighting.Parse(torch.rand(b, 4, generator: g) - 0.5, frontalize: true);
                var albedo = Lighting.Delight(image, Lighting.Shading(model.Renderer.Normals(d), light));
                (albedo.sum() + model.Blur.forward(trans).sum()).backward();
            }, 2),
            ("albedo rank", 1, () =>
            {
                var albedo = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                LiftingLosses.AlbedoRank(albedo, depth, model.Blur, config.BorderDepth, config.RankDownsample).sum().backward();
            }, 2),
            // The step's own arithmetic between the networks: the joint mask and flips, the pixel L1 terms (two
            // reconstructions, the perturbation's parts (a) and (b)), the perturbation draw, the parameter cycle and
            // the depth smoothness, with their backward pass.
            ("losses and glue", 1, () =>
            {
                var d = depth.detach().requires_grad_(true);
                var images = Enumerable.Range(0, 4).Select(_ => (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true)).ToList();
                var target = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
                var mask = torch.rand(b, 1, s, s, generator: g).gt(0.1).to(float32) * torch.rand(b, 1, s, s, generator: g).gt(0.1).to(float32);
                var light = (torch.rand(b, 4, generator: g) - 0.5).requires_grad_(true);
                var view = ((torch.rand(b, 6, generator: g) - 0.5) * 0.5).requires_grad_(true);
                using var pert = Perturbation.Sample(light.detach(), config, g);
                var loss = LiftingLosses.MaskedL1(images[0], target, mask) + LiftingLosses.MaskedL1(images[1].flip(3), target, mask)
                    + LiftingLosses.MaskedL1(images[2], images[3].detach()) + LiftingLosses.MaskedL1(target, images[3])
                    + LiftingLosses.ParameterCycle(light, pert.Light, view, pert.View, config.CyclePitchWeight, config.CycleRollWeight)
                    + LiftingLosses.DepthSmoothness(d.flip(2));
                loss.backward();
            }, 1),
            ("optimiser", 1, () =>
            {
                foreach (var p in trainable)
                    if (p.grad is { } grad && !grad.isfinite().all().item<bool>()) throw new InvalidOperationException("benchmark gradient not finite");
                adam.Step();
            }, 1),
            // Per step: 4 feature passes with gradients (3 renders, G(w')) and 2 without (the teacher image, shared by
            // the reconstruction and its flip; the sampled-view render).
            ("perceptual, image side", 4, () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                perceptual.Compute(x, fixedTarget).backward();
            }, 2),
            ("perceptual, target", 2, () =>
            {
                var y = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
                using var target = perceptual.Features(y);
            }, 1),
        };
        if (embedding != null)
            parts.Add(("face embedding", 2, () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                embedding.Embed(x).sum().backward();
            }, 2));
        parts.Add(("teacher mapping", 1, () =>
        {
            using var _ = no_grad();
            model.Teacher.Map(randn(new long[] { b, config.StyleDim }, generator: g));
        }, 1));
        parts.Add(("step, official two passes", 1, () =>
        {
            trainer.SeparatePasses = true;
            try { trainer.Step(); }
            finally { trainer.SeparatePasses = false; }
        }, 1));
        parts.Add(("step", 1, () => trainer.Step(), 1));

        // Interleaved rounds (every part once per round, after one warm-up round), so a change in machine load hits
        // all parts alike; medians over rounds.
        // The warm-up round also counts each part's convolution multiply-accumulates (forward only).
        var times = parts.Select(_ => new List<double>()).ToList();
        var macs = new long[parts.Count];
        for (int round = 0; round <= Math.Max(1, Math.Max(steps, repeats)); round++)
            for (int i = 0; i < parts.Count; i++)
            {
                using var scope = NewDisposeScope();
                using var count = round == 0 ? ConvGuard.CountMacs() : null;
                var sw = Stopwatch.StartNew();
                parts[i].Run();
                if (round > 0) times[i].Add(sw.Elapsed.TotalMilliseconds);
                else macs[i] = count!.Value;
            }
        var components = parts.Take(parts.Count - 2).Select((p, i) =>
            new LiftingBenchComponent(p.Name, Median(times[i]), p.Calls, 2.0 * macs[i] * p.FlopFactor)).ToList();

        // Stage by stage from inside the step (one warm-up step, then as many as the timed rounds).
        trainer.Profile = new StepProfile { Warmup = 1 };
        for (int i = 0; i <= Math.Max(1, steps); i++)
        {
            using var scope = NewDisposeScope();
            trainer.Step();
        }
        var stages = TrainerProfile.From(config.Preset, "stages of the folded step, lap timer", trainer.Profile);
        trainer.Profile = null;
        return new LiftingBenchResult(config.Preset, b, Median(times[^1]), components, Process.GetCurrentProcess().PeakWorkingSet64,
            MatmulFlopsPerSecond(repeats), Median(times[^2])) { Stages = stages };
    }

    /// <summary>
    /// Runs <paramref name="steps"/> real training steps (random weights, the preset's full loss) and records the
    /// process's resident memory after every <paramref name="every"/>-th step: the leak test. The growth is the
    /// least-squares slope over the second half of the samples (after allocators and caches have settled), in bytes per
    /// 1,000 steps; <paramref name="progress"/> gets each sample.
    /// </summary>
    public static LiftingLeakResult Leak(LiftingConfig preset, GeneratorConfig teacherConfig, int steps, int every, bool withEmbedding,
        Action<long, long>? progress = null)
    {
        if (steps < 2 * every || every < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"needs at least two samples of every {every} steps");
        using var bench = new RandomTrainer(preset, teacherConfig, withEmbedding);
        var (config, trainer) = (bench.Config, bench.Trainer);
        var samples = new List<(long Step, long Bytes)>();
        var process = Process.GetCurrentProcess();
        var sw = Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            trainer.Step();
            if (i % every != 0) continue;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            samples.Add((i, process.WorkingSet64));
            progress?.Invoke(i, process.WorkingSet64);
        }
        var tail = samples.Skip(samples.Count / 2).ToList();
        double mx = tail.Average(t => (double)t.Step), my = tail.Average(t => (double)t.Bytes);
        double sxx = tail.Sum(t => (t.Step - mx) * (t.Step - mx));
        double slope = sxx == 0 ? 0 : tail.Sum(t => (t.Step - mx) * (t.Bytes - my)) / sxx;
        return new LiftingLeakResult(config.Preset, steps, samples, slope * 1000, sw.Elapsed.TotalSeconds / steps, process.PeakWorkingSet64);
    }

    /// <summary>
    /// The perceptual network of <paramref name="preset"/> (random-feature VGG16, the preset's scales, batch and size) in
    /// float32 and in bfloat16 (weights and input cast; the loss cast back), side by side in interleaved rounds: the
    /// image side (forward + backward against constant targets) and the target side (forward only), and how far the
    /// bfloat16 results are from the float32 ones on the same inputs (relative L2 error of every feature map, of the loss
    /// and of the gradient on the image, and the gradient's cosine). bfloat16 convolutions bypass the convolution guard
    /// (it probes float32 only), so the feature error is also the check that their oneDNN kernels are right.
    /// </summary>
    public static PrecisionBenchResult PerceptualPrecision(LiftingConfig preset, int repeats)
    {
        int b = preset.BatchSize, s = preset.ImageSize;
        using var single = PerceptualLoss.For(preset, Vgg16Features.RandomFeatures(0));
        var halfNetwork = Vgg16Features.RandomFeatures(0);
        halfNetwork.to(ScalarType.BFloat16);
        using var half = PerceptualLoss.For(preset, halfNetwork);
        var g = new torch.Generator(3);
        using var image = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
        using var target = torch.rand(b, 3, s, s, generator: g) * 2 - 1;
        using var singleTarget = single.Features(target);
        using var halfTarget = half.Features(target.to(ScalarType.BFloat16));

        (double Loss, Tensor Gradient) ImageSide(PerceptualLoss loss, PerceptualFeatures features, ScalarType type)
        {
            var x = image.detach().clone().requires_grad_(true);
            var value = loss.Compute(x.to(type), features).to(ScalarType.Float32);
            value.backward();
            return (value.item<float>(), x.grad!.detach().clone().MoveToOuterDisposeScope());
        }
        var cases = new (string Name, Action Run)[]
        {
            ("image side float32", () => ImageSide(single, singleTarget, ScalarType.Float32)),
            ("image side bfloat16", () => ImageSide(half, halfTarget, ScalarType.BFloat16)),
            ("target float32", () => { using var f = single.Features(target); }),
            ("target bfloat16", () => { using var f = half.Features(target.to(ScalarType.BFloat16)); }),
        };
        var times = cases.Select(_ => new List<double>()).ToList();
        for (int round = 0; round <= Math.Max(1, repeats); round++)
            for (int i = 0; i < cases.Length; i++)
            {
                using var scope = NewDisposeScope();
                var sw = Stopwatch.StartNew();
                cases[i].Run();
                if (round > 0) times[i].Add(sw.Elapsed.TotalMilliseconds);
            }

        using var errorScope = NewDisposeScope();
        static double Relative(Tensor a, Tensor reference) =>
            ((a.to(ScalarType.Float32) - reference).norm() / reference.norm().clamp_min(1e-30)).item<float>();
        double featureError = singleTarget.Maps.Zip(halfTarget.Maps).Max(p => Relative(p.Second, p.First));
        var (singleLoss, singleGradient) = ImageSide(single, singleTarget, ScalarType.Float32);
        var (halfLoss, halfGradient) = ImageSide(half, halfTarget, ScalarType.BFloat16);
        double cosine = ((singleGradient * halfGradient).sum() / (singleGradient.norm() * halfGradient.norm()).clamp_min(1e-30)).item<float>();
        return new PrecisionBenchResult(preset.Preset, b, s, Median(times[0]), Median(times[1]), Median(times[2]), Median(times[3]),
            featureError, Math.Abs(halfLoss - singleLoss) / Math.Max(Math.Abs(singleLoss), 1e-30), Relative(halfGradient, singleGradient), cosine);
    }

    /// <summary>
    /// VGG16's feature slices up to relu4_3 (the perceptual network; random features, frozen) on a B x 3 x S x S batch,
    /// one scale: median milliseconds of a forward pass without gradient and of a forward and backward pass to the
    /// input (as the rendered side of the loss), and the forward pass's convolution FLOPs. The peer comparison
    /// (scripts/peer-perceptual.sh) times the same network in PyTorch.
    /// </summary>
    public static (double ForwardMs, double ForwardBackwardMs, double ForwardFlops) Perceptual(int size, int batch, int repeats)
    {
        using var vgg = Vgg16Features.RandomFeatures(0);
        var g = new torch.Generator(4);
        using var x = torch.rand(batch, 3, size, size, generator: g);
        long macs = 0;
        var forward = new List<double>();
        var both = new List<double>();
        for (int round = 0; round <= Math.Max(1, repeats); round++)
        {
            using (var scope = NewDisposeScope())
            using (var count = round == 0 ? ConvGuard.CountMacs() : null)
            using (no_grad())
            {
                var sw = Stopwatch.StartNew();
                vgg.Slices(x);
                if (round > 0) forward.Add(sw.Elapsed.TotalMilliseconds);
                else macs = count!.Value;
            }
            using (NewDisposeScope())
            {
                var sw = Stopwatch.StartNew();
                var input = x.detach().requires_grad_(true);
                vgg.Slices(input)[^1].sum().backward();
                if (round > 0) both.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        return (Median(forward), Median(both), 2.0 * macs);
    }

    /// <summary>A trainer of randomly initialised networks (teacher, lift, random-feature VGG16, LResNet where asked) for the benchmarks; disposes them all.</summary>
    sealed class RandomTrainer : IDisposable
    {
        public RandomTrainer(LiftingConfig preset, GeneratorConfig teacherConfig, bool withEmbedding)
        {
            Config = preset.ForTeacher(teacherConfig.StyleDim);
            Teacher = new StyleGenerator(teacherConfig, new torch.Generator(1));
            var model = new LiftedGenerator(Teacher, Config);
            var perceptual = PerceptualLoss.For(Config, Vgg16Features.RandomFeatures(0));
            IFaceEmbedding? embedding = withEmbedding ? new LResNetFaceEmbedding() : null;
            Trainer = new LiftingTrainer(model, StyleStatistics.Compute(Teacher, 1000, 1), perceptual, embedding);
        }

        public LiftingConfig Config { get; }
        public StyleGenerator Teacher { get; }
        public LiftingTrainer Trainer { get; }

        public void Dispose()
        {
            Trainer.Dispose();
            Trainer.Model.Dispose();
            Trainer.Perceptual?.Dispose();
            Teacher.Dispose();
        }
    }

    /// <summary>Float32 FLOPs per second of a 2048² matrix product (median of <paramref name="repeats"/> after a warm-up).</summary>
    public static double MatmulFlopsPerSecond(int repeats)
    {
        const int n = 2048;
        using var a = randn(n, n);
        using var c = randn(n, n);
        var times = new List<double>();
        for (int i = 0; i <= Math.Max(1, repeats); i++)
        {
            var sw = Stopwatch.StartNew();
            using var product = a.matmul(c);
            if (i > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / Median(times);
    }

    /// <summary>
    /// Median milliseconds of max(1, <paramref name="count"/>) timed calls of <paramref name="body"/> after one untimed
    /// warm-up call, each in its own dispose scope.
    /// </summary>
    internal static double MedianMilliseconds(int count, Action body)
    {
        var times = new List<double>();
        for (int i = 0; i <= Math.Max(1, count); i++)
        {
            var sw = Stopwatch.StartNew();
            using (NewDisposeScope()) body();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
