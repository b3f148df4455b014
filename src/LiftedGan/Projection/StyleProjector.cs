using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Projection;

/// <summary>Per-image reconstruction errors against the target: mean absolute difference (images in [−1, 1]) and the perceptual distance.</summary>
public sealed record ReconstructionError(double[] L1, double[] Perceptual)
{
    public double MeanL1 => L1.Average();
    public double MeanPerceptual => Perceptual.Average();
}

/// <summary>One optimisation step as reported to a progress callback: the step (0-based), the mean loss over the batch and the learning rate.</summary>
public sealed record ProjectionStep(int Step, double Loss, double LearningRate);

/// <summary>
/// What a projection found for B targets (owns its tensors, on the CPU): the style the lift gets (B×D; in W+ the
/// layer mean), the optimised latent (B×D in W, B×L×D in W+), the teacher's images of both (B×3×S×S, clamped), the
/// mean style w_avg (1×D) and its image, and the mean loss of every step.
/// </summary>
public sealed class ProjectionResult : IDisposable
{
    public required Tensor Style { get; init; }
    public required Tensor Latent { get; init; }
    public required Tensor Image { get; init; }
    public required Tensor StyleImage { get; init; }
    public required Tensor MeanStyle { get; init; }
    public required Tensor MeanImage { get; init; }
    public required double[] Losses { get; init; }
    public required LatentSpace Space { get; init; }

    public void Dispose()
    {
        foreach (var t in new[] { Style, Latent, Image, StyleImage, MeanStyle, MeanImage }) t.Dispose();
    }
}

/// <summary>
/// Inverts images into a StyleGAN2 teacher (StyleGAN2's projector, the route of the LiftedGAN paper's Fig. 10): one w
/// per image (or one per layer, <see cref="LatentSpace.WPlus"/>) starts at the mean style w_avg and is optimised with
/// Adam under the official learning-rate ramp and a decaying noise on w (<see cref="ProjectionSettings"/>); the loss
/// per image is the perceptual distance (<see cref="PerceptualLoss"/>) plus the weighted pixel term (plus the W+
/// layer-spread penalty). The teacher's stored noise buffers are used throughout (no noise is optimised). Images of a
/// batch are independent: each has its own w and its own loss terms, summed, so Adam updates each w on its own.
/// Deterministic in the settings' seed. The teacher and the perceptual loss stay owned by the caller.
/// </summary>
public sealed class StyleProjector : IDisposable
{
    readonly StyleGenerator _teacher;
    readonly PerceptualLoss _perceptual;

    public StyleProjector(StyleGenerator teacher, PerceptualLoss perceptual, ProjectionSettings settings)
    {
        settings.Validate();
        _teacher = teacher;
        _perceptual = perceptual;
        Settings = settings;
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        teacher.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p0 = teacher.parameters().First();
        using var rng = new torch.Generator((ulong)settings.Seed);
        var z = randn([settings.MeanSamples, teacher.Config.StyleDim], dtype: p0.dtype, device: p0.device, generator: rng);
        var w = teacher.Map(z);
        var mean = w.mean([0], keepdim: true);
        WStd = Math.Sqrt((w - mean).square().sum().item<float>() / settings.MeanSamples);
        MeanStyle = mean.detach().MoveToOuterDisposeScope();
    }

    public ProjectionSettings Settings { get; }

    /// <summary>w_avg, 1×D.</summary>
    public Tensor MeanStyle { get; }

    /// <summary>σ_w = sqrt(Σ‖w − w_avg‖² / N) over the mapped latents (the scale of the noise on w).</summary>
    public double WStd { get; }

    /// <summary>Side of the teacher's images.</summary>
    public int ImageSize => _teacher.Config.Size;

    /// <summary>
    /// The perceptual distance at a resolution: scales 1×, ½×, ¼× as far as relu4_3 keeps at least 2 × 2 features
    /// (3 scales at 64 px), the official slices relu2_2, relu3_3, relu4_3, cosine.
    /// </summary>
    public static PerceptualLoss Loss(Vgg16Features vgg, int size) =>
        new(vgg, PerceptualDistance.Cosine, scales: Math.Clamp((int)Math.Floor(Math.Log2(size)) - 3, 1, 3));

    /// <summary>The teacher's images of styles (B×D) or W+ latents (B×L×D), stored noise, clamped to [−1, 1].</summary>
    public Tensor Generate(Tensor latent)
    {
        using var scope = NewDisposeScope();
        var image = _teacher.Generate([latent], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Projects <paramref name="targets"/> (B×3×S×S in [−1, 1], S the teacher's size). <paramref name="progress"/> hears
    /// every step; <paramref name="snapshot"/> gets the teacher's images of the current latents (no noise) every
    /// <paramref name="snapshotEvery"/> steps and after the last (0: never).
    /// </summary>
    public ProjectionResult Project(Tensor targets, Action<ProjectionStep>? progress = null, int snapshotEvery = 0, Action<int, Tensor>? snapshot = null)
    {
        int size = ImageSize;
        if (targets.dim() != 4 || targets.shape[1] != 3 || targets.shape[2] != size || targets.shape[3] != size || targets.shape[0] < 1)
            throw new ProjectionException("targets", $"expected B x 3 x {size} x {size} images, got [{string.Join(", ", targets.shape)}]");
        if (snapshotEvery < 0) throw new ProjectionException("snapshot interval", $"{snapshotEvery}: must be 0 or more");
        var s = Settings;
        long b = targets.shape[0];
        int layers = _teacher.NumLatents;
        var device = MeanStyle.device;
        using var target = targets.detach().to(MeanStyle.dtype).to(device);
        using var targetFeatures = _perceptual.Features(target);
        using var start = s.Space == LatentSpace.W ? MeanStyle.repeat(b, 1) : MeanStyle.unsqueeze(1).repeat(b, layers, 1);
        using var latent = start.clone().requires_grad_(true);
        using var m1 = zeros_like(start);
        using var m2 = zeros_like(start);
        using var rng = new torch.Generator((ulong)s.Seed + 1);
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var losses = new double[s.Steps];
        for (int step = 0; step < s.Steps; step++)
        {
            double t = (double)step / s.Steps;
            double lr = s.LearningRate * s.LearningRateRamp(t);
            double noise = WStd * s.NoiseScale(t);
            using var scope = NewDisposeScope();
            var noisy = latent + randn(latent.shape, dtype: latent.dtype, device: device, generator: rng) * noise;
            var image = _teacher.Generate([noisy], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
            var loss = Loss(image, target, targetFeatures, latent);
            losses[step] = loss.item<float>();
            (loss * b).backward();
            using (no_grad())
            {
                var g = latent.grad ?? throw new InvalidOperationException("projection: no gradient reached the latent");
                m1.mul_(beta1).add_(g, alpha: 1 - beta1);
                m2.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
                double c1 = 1 - Math.Pow(beta1, step + 1), c2 = 1 - Math.Pow(beta2, step + 1);
                latent.sub_((m1 / c1) / ((m2 / c2).sqrt() + eps) * lr);
                g.zero_();
            }
            progress?.Invoke(new ProjectionStep(step, losses[step], lr));
            if (snapshot is not null && snapshotEvery > 0 && ((step + 1) % snapshotEvery == 0 || step == s.Steps - 1))
                using (no_grad()) snapshot(step + 1, Generate(latent.detach()).cpu());
        }
        using var final = NewDisposeScope();
        using var noGrad = no_grad();
        var optimised = latent.detach().clone();
        var style = s.Space == LatentSpace.W ? optimised.alias() : optimised.mean([1]);
        var result = new ProjectionResult
        {
            Latent = optimised.cpu().MoveToOuterDisposeScope(),
            Style = style.cpu().MoveToOuterDisposeScope(),
            Image = Generate(optimised).cpu().MoveToOuterDisposeScope(),
            StyleImage = Generate(style).cpu().MoveToOuterDisposeScope(),
            MeanStyle = MeanStyle.cpu().clone().MoveToOuterDisposeScope(),
            MeanImage = Generate(MeanStyle).cpu().MoveToOuterDisposeScope(),
            Losses = losses,
            Space = s.Space,
        };
        return result;
    }

    /// <summary>The loss of a batch, mean over images: perceptual + pixel weight · pixel (+ W+ layer spread).</summary>
    Tensor Loss(Tensor image, Tensor target, PerceptualFeatures targetFeatures, Tensor latent)
    {
        using var scope = NewDisposeScope();
        var s = Settings;
        var loss = _perceptual.Compute(image, targetFeatures);
        if (s.PixelWeight > 0)
        {
            var d = image - target;
            loss = loss + s.PixelWeight * (s.Pixel == PixelDistance.L1 ? d.abs().mean() : d.square().mean());
        }
        if (s.Space == LatentSpace.WPlus && s.LayerSpreadWeight > 0)
            loss = loss + s.LayerSpreadWeight * (latent - latent.mean([1], keepdim: true)).square().mean() / (WStd * WStd);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Per-image L1 and perceptual distance of <paramref name="images"/> to <paramref name="targets"/> (both B×3×S×S in [−1, 1]).</summary>
    public ReconstructionError Error(Tensor images, Tensor targets)
    {
        if (!images.shape.SequenceEqual(targets.shape))
            throw new ProjectionException("images", $"shape [{string.Join(", ", images.shape)}] differs from the targets' [{string.Join(", ", targets.shape)}]");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long b = images.shape[0];
        var a = images.to(MeanStyle.dtype).to(MeanStyle.device);
        var t = targets.to(MeanStyle.dtype).to(MeanStyle.device);
        var l1 = (a - t).abs().flatten(1).mean([1]).cpu().to(ScalarType.Float64).data<double>().ToArray();
        var perceptual = new double[b];
        for (long i = 0; i < b; i++) perceptual[i] = _perceptual.Compute(a.narrow(0, i, 1), t.narrow(0, i, 1)).item<float>();
        return new ReconstructionError(l1, perceptual);
    }

    public void Dispose() => MeanStyle.Dispose();
}
