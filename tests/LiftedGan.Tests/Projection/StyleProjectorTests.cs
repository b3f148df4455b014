using LiftedGan.Lifting;
using LiftedGan.Projection;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Projection;

/// <summary>The projector on a tiny 16 px teacher: it inverts the teacher's own samples, deterministically.</summary>
public class StyleProjectorTests
{
    /// <summary>Runs on one intra-op thread (tiny tensors on a shared machine), restoring the thread count.</summary>
    static void OneThread(Action body)
    {
        int threads = get_num_threads();
        set_num_threads(1);
        try { body(); }
        finally { set_num_threads(threads); }
    }

    static StyleGenerator Teacher()
    {
        var table = new Dictionary<int, int> { [4] = 16, [8] = 16, [16] = 16 };
        return new StyleGenerator(new GeneratorConfig { Size = 16, StyleDim = 32, MappingLayers = 2, Channels = table }, new torch.Generator(3));
    }

    static readonly ProjectionSettings Quick = new() { Steps = 40, MeanSamples = 512, Seed = 5 };

    /// <summary>Two teacher samples G(w*) as targets (w* mapped from z of seed 11).</summary>
    static Tensor Targets(StyleGenerator teacher, StyleProjector projector)
    {
        using var noGrad = no_grad();
        using var z = randn([2, 32], generator: new torch.Generator(11));
        using var w = teacher.Map(z);
        return projector.Generate(w);
    }

    [Fact]
    public void Projecting_teacher_samples_lowers_the_loss_and_beats_the_mean_style() => OneThread(() =>
    {
        using var teacher = Teacher();
        using var loss = StyleProjector.Loss(Vgg16Features.RandomFeatures(0), 16);
        using var projector = new StyleProjector(teacher, loss, Quick);
        using var targets = Targets(teacher, projector);
        using var r = projector.Project(targets);

        Assert.Equal(Quick.Steps, r.Losses.Length);
        Assert.All(r.Losses, v => Assert.True(double.IsFinite(v)));
        Assert.True(r.Losses[^5..].Average() < 0.7 * r.Losses[..5].Average(), $"loss {r.Losses[0]:F4} -> {r.Losses[^1]:F4}");
        Assert.Equal(new long[] { 2, 32 }, r.Style.shape);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, r.Image.shape);
        foreach (var t in new[] { r.Style, r.Latent, r.Image, r.MeanImage }) Assert.True(t.isfinite().all().item<bool>());
        Assert.True(r.Style.eq(r.Latent).all().item<bool>(), "in W the lift's style is the optimised latent");

        var projected = projector.Error(r.Image, targets);
        var mean = projector.Error(r.MeanImage.expand(2, -1, -1, -1), targets);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(projected.L1[i] < 0.7 * mean.L1[i], $"image {i}: L1 {projected.L1[i]:F4} vs mean style {mean.L1[i]:F4}");
            Assert.True(projected.Perceptual[i] < mean.Perceptual[i], $"image {i}: perceptual {projected.Perceptual[i]:F4} vs mean style {mean.Perceptual[i]:F4}");
        }
    });

    [Fact]
    public void The_same_seed_gives_the_same_projection_and_another_seed_another() => OneThread(() =>
    {
        using var teacher = Teacher();
        using var loss = StyleProjector.Loss(Vgg16Features.RandomFeatures(0), 16);
        var settings = Quick with { Steps = 8 };
        Tensor Run(ProjectionSettings s)
        {
            using var projector = new StyleProjector(teacher, loss, s);
            using var targets = Targets(teacher, projector);
            using var r = projector.Project(targets);
            return r.Latent.clone();
        }
        using var a = Run(settings);
        using var b = Run(settings);
        using var c = Run(settings with { Seed = 6 });
        Assert.True(a.eq(b).all().item<bool>(), "same seed, different projection");
        Assert.False(a.eq(c).all().item<bool>(), "the seed is not used");
    });

    [Fact]
    public void Wplus_optimises_one_style_per_layer_and_gives_the_lift_their_mean() => OneThread(() =>
    {
        using var teacher = Teacher();
        using var loss = StyleProjector.Loss(Vgg16Features.RandomFeatures(0), 16);
        using var projector = new StyleProjector(teacher, loss, Quick with { Space = LatentSpace.WPlus, Steps = 30 });
        using var targets = Targets(teacher, projector);
        using var r = projector.Project(targets);
        Assert.Equal(new long[] { 2, teacher.NumLatents, 32 }, r.Latent.shape);
        using var layerMean = r.Latent.mean([1]);
        Assert.True(r.Style.allclose(layerMean), "the lift's style is not the layer mean");
        Assert.True(r.Losses[^5..].Average() < 0.7 * r.Losses[..5].Average(), $"loss {r.Losses[0]:F4} -> {r.Losses[^1]:F4}");
        using var spread = (r.Latent - layerMean.unsqueeze(1)).abs().max();
        Assert.True(spread.item<float>() > 0, "W+ layers never moved apart");
    });

    [Fact]
    public void Settings_out_of_range_name_the_setting()
    {
        using var teacher = Teacher();
        using var loss = StyleProjector.Loss(Vgg16Features.RandomFeatures(0), 16);
        var e = Assert.Throws<ProjectionException>(() => new StyleProjector(teacher, loss, Quick with { Steps = 0 }));
        Assert.Equal("steps", e.Subject);
        e = Assert.Throws<ProjectionException>(() => new StyleProjector(teacher, loss, Quick with { PixelWeight = double.NaN }));
        Assert.Equal("pixel weight", e.Subject);
        using var projector = new StyleProjector(teacher, loss, Quick with { Steps = 1 });
        using var wrong = zeros(1, 3, 8, 8);
        Assert.Throws<ProjectionException>(() => projector.Project(wrong));
    }

    [Fact]
    public void The_learning_rate_ramps_up_and_down_and_the_noise_fades_by_three_quarters()
    {
        var s = new ProjectionSettings();
        Assert.Equal(0, s.LearningRateRamp(0), 12);
        Assert.Equal(1, s.LearningRateRamp(0.5), 12);
        Assert.InRange(s.LearningRateRamp(0.99), 0, 0.01);
        Assert.Equal(0.05, s.NoiseScale(0), 12);
        Assert.Equal(0, s.NoiseScale(0.75), 12);
        Assert.Equal(0, s.NoiseScale(0.9), 12);
    }
}
