using LiftedGan.Lifting;
using LiftedGan.Rendering;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>The light head's diffuse floor (<see cref="LiftingConfig.MinDiffuse"/>): off by default, a floor when set.</summary>
public class DiffuseFloorTests
{
    /// <summary>A decomposer whose light head saturates (large last-layer weights), as the lifts' heads do.</summary>
    static StyleDecomposer Saturated(double minDiffuse)
    {
        var d = new StyleDecomposer(styleDim: 16, hidden: 16, minDiffuse: minDiffuse);
        manual_seed(3);
        using (no_grad())
            foreach (var p in d.TrainableParameters()) p.normal_(0, 3);
        return d;
    }

    [Fact]
    public void OfficialDefaultKeepsTheRawTanhOutput()
    {
        using var official = Saturated(0);
        using var floored = Saturated(0.4);
        var w = randn([64, 16], generator: new Generator(1));
        using var _ = no_grad();
        var (a, viewA) = official.forward(w);
        var (b, viewB) = floored.forward(w);
        Assert.True(a[.., 1].min().item<float>() < -0.99f, "the test needs samples whose diffuse output saturates at −1");
        static float MaxDiff(Tensor x, Tensor y) => (x - y).abs().max().item<float>();
        Assert.True(MaxDiff(a[.., 0], b[.., 0]) == 0 && MaxDiff(a[.., 2..], b[.., 2..]) == 0 && MaxDiff(viewA, viewB) == 0,
            "only the diffuse channel may change");
        using var lights = Lighting.Parse(b);
        Assert.True(lights.Diffuse.min().item<float>() >= 0.4f - 1e-6f, "the diffuse strength must not fall below the floor");
        Assert.True(allclose(b[.., 1], a[.., 1] + 0.4 * (1 - a[.., 1]), 1e-6, 1e-6), "the floor maps t to t + m(1 − t)");
    }

    [Fact]
    public void FloorOutsideZeroToOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StyleDecomposer(styleDim: 16, hidden: 16, minDiffuse: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StyleDecomposer(styleDim: 16, hidden: 16, minDiffuse: -0.1));
    }
}
