using LiftedGan.Cli;
using LiftedGan.Cli.Commands;
using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The cheaper perceptual loss settings (`--set perceptual_depth=N`, `perceptual_scales=N`): they reach the loss the
/// trainer builds, round-trip through the run's config, default to the official loss and refuse bad values.
/// </summary>
public class PerceptualDepthTests
{
    [Fact]
    public void DepthAndScalesSelectTheComparedSlices()
    {
        // The official presets compare relu2_2, relu3_3 and relu4_3; synth_64 stops at relu3_3 (its ablation).
        Assert.Equal(new[] { 1, 2, 3 }, LiftingConfig.Ffhq256.PerceptualSliceIndices());
        Assert.Equal(new[] { 1, 2, 3 }, LiftingConfig.Cats256.PerceptualSliceIndices());
        Assert.Equal(new[] { 1, 2 }, LiftingConfig.Synth64.PerceptualSliceIndices());
        Assert.Equal(3, LiftCommand.ApplyAll(LiftingConfig.Synth64, new[] { "perceptual_depth=3" }).PerceptualDepth);
        var config = LiftCommand.ApplyAll(LiftingConfig.Ffhq256, new[] { "perceptual_depth=2", "perceptual_scales=1" });
        Assert.Equal((2, 1), (config.PerceptualDepth, config.PerceptualScales));
        Assert.Equal(new[] { 1, 2 }, config.PerceptualSliceIndices());

        using var scope = NewDisposeScope();
        var g = new Generator(4);
        var a = rand(new long[] { 2, 3, 32, 32 }, generator: g) * 2 - 1;
        var b = rand(new long[] { 2, 3, 32, 32 }, generator: g) * 2 - 1;
        using var cheap = PerceptualLoss.For(config, Vgg16Features.RandomFeatures(2));
        using var explicitSlices = new PerceptualLoss(Vgg16Features.RandomFeatures(2), PerceptualDistance.Cosine, 1, new[] { 1, 2 });
        using var official = PerceptualLoss.For(config with { PerceptualDepth = 3 }, Vgg16Features.RandomFeatures(2));
        float value = cheap.Compute(a, b).item<float>();
        Assert.Equal(explicitSlices.Compute(a, b).item<float>(), value, 6);
        Assert.NotEqual(official.Compute(a, b).item<float>(), value);

        var back = LiftingConfig.FromJson(config.ToJson(), "test");
        Assert.Equal(2, back.PerceptualDepth);
        var older = LiftingConfig.FromJson(LiftingConfig.Ffhq256.ToJson().Replace("\"PerceptualDepth\": 3,", ""), "test");
        Assert.Equal(3, older.PerceptualDepth);
    }

    [Theory]
    [InlineData("perceptual_depth=4")]
    [InlineData("perceptual_depth=0")]
    [InlineData("perceptual_scales=0")]
    [InlineData("perceptual_scales=1.5")]
    public void BadValuesAreRefusedWithTheirName(string item)
    {
        var e = Assert.Throws<UsageException>(() => LiftCommand.ApplyAll(LiftingConfig.Synth64, new[] { item }));
        Assert.Contains(item.Split('=')[0], e.Message);
    }
}
