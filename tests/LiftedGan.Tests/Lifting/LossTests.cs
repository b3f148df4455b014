using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class LossTests
{
    static torch.Tensor T(float[] v, params long[] shape) => torch.tensor(v, shape);

    [Fact]
    public void MaskedL1CountsEveryChannelInTheDenominator()
    {
        // 1 sample, 2 channels, 1x2 pixels; mask keeps only the first pixel.
        using var a = T(new float[] { 1, 2, 3, 4 }, 1, 2, 1, 2);
        using var b = T(new float[] { 0, 0, 0, 0 }, 1, 2, 1, 2);
        using var m = T(new float[] { 1, 0 }, 1, 1, 1, 2);
        Assert.Equal((1 + 3) / 2.0, LiftingLosses.MaskedL1(a, b, m).item<float>(), 6);
        Assert.Equal((1 + 2 + 3 + 4) / 4.0, LiftingLosses.MaskedL1(a, b).item<float>(), 6);
    }

    [Fact]
    public void StylePriorIsScaledMeanSquare()
    {
        using var w = T(new float[] { 1, 3, -1, 1 }, 2, 2);
        using var mu = T(new float[] { 1, 1 }, 1, 2);
        // squares: 0, 4, 4, 0 -> mean 2; times 0.25
        Assert.Equal(0.5, LiftingLosses.StylePrior(w, mu, 0.25).item<float>(), 6);
    }

    [Fact]
    public void CycleIgnoresTranslations()
    {
        using var l1 = T(new float[] { 0.5f, 0, 0, 0 }, 1, 4);
        using var l0 = torch.zeros(1, 4);
        using var v1 = T(new float[] { 0.3f, 0, 0, 9, 9, 9 }, 1, 6);
        using var v0 = torch.zeros(1, 6);
        // light: 0.25/4; view: 0.09/3
        Assert.Equal(0.25 / 4 + 0.09 / 3, LiftingLosses.ParameterCycle(l1, l0, v1, v0).item<float>(), 6);
    }

    [Fact]
    public void CycleAxisWeightsScaleOnlyTheirOwnSquares()
    {
        using var l = torch.zeros(1, 4);
        using var v1 = T(new float[] { 0.3f, 0.2f, 0.1f, 9, 9, 9 }, 1, 6);
        using var v0 = torch.zeros(1, 6);
        // pitch 0.09 × 9, yaw 0.04 × 1, roll 0.01 × 4, over the three entries
        Assert.Equal((0.81 + 0.04 + 0.04) / 3, LiftingLosses.ParameterCycle(l, l, v1, v0, pitchWeight: 9, rollWeight: 4).item<float>(), 6);
        Assert.Equal((0.09 + 0.04 + 0.01) / 3, LiftingLosses.RotationError(v1, v0).item<float>(), 6);
    }

    [Fact]
    public void IdentityUsesOnlyNearFrontalSamplesAndSkipsEmptySelections()
    {
        using var e0 = T(new float[] { 1, 0, 1, 0, 1, 0 }, 3, 2);
        using var e1 = T(new float[] { 0, 1, 1, 0, -1, 0 }, 3, 2);
        using var yaw = T(new float[] { 10, -24.9f, 25 }, 3);
        // sample 0: 2, sample 1: 0, sample 2 excluded (|yaw| = 25 is not strictly inside)
        using var loss = LiftingLosses.Identity(e0, e1, yaw);
        Assert.NotNull(loss);
        Assert.Equal(1.0, loss!.item<float>(), 6);
        using var far = T(new float[] { 30, -40, 25 }, 3);
        Assert.Null(LiftingLosses.Identity(e0, e1, far));
    }

    [Fact]
    public void AlbedoRankIsTheNuclearNormOfTheMaskedHighPass()
    {
        using var blur = new GaussianBlur(2, 1);
        var g = new torch.Generator(11);
        using var albedo = torch.randn(3, 3, 8, 8, generator: g);
        using var depth = torch.full(3, 8, 8, 1.0f);
        depth[.., .., 0] = 1.05f; // masked column
        using var loss = LiftingLosses.AlbedoRank(albedo, depth, blur, downsample: 2);

        // By hand: grey, high-pass, mask, 2x2 average pool, then the sum of singular values of the 3x16 matrix.
        using var grey = albedo.mean(new long[] { 1 }, keepdim: true);
        using var hp = (grey - blur.forward(grey)) * depth.le(1.04).to(torch.float32).unsqueeze(1);
        using var pooled = torch.nn.functional.avg_pool2d(hp, 2, 2).flatten(1).to(torch.float64);
        using var sv = torch.linalg.svdvals(pooled);
        Assert.Equal(sv.sum().item<double>(), loss.item<float>(), 4);
        Assert.True(loss.item<float>() > 0);
    }

    [Fact]
    public void DepthSmoothnessIsTheMeanAbsoluteLaplacian()
    {
        // A plane 1 + 0.01·col + 0.02·row on 5x5: the 3x3 interior costs 0. On the ring, reflect padding leaves
        // |step across the edge|/2: 0.01 on the 3 inner pixels of the top and bottom rows, 0.005 on those of the left and
        // right columns, and at the corners |±0.04 ± 0.02|/4 = 0.015, 0.005, 0.005, 0.015. Sum 0.13 over 25 pixels.
        using var plane = (torch.arange(5f).view(1, 1, 5) * 0.01f + torch.arange(5f).view(1, 5, 1) * 0.02f + 1f).expand(2, 5, 5).contiguous();
        Assert.Equal(0.13 / 25, LiftingLosses.DepthSmoothness(plane).item<float>(), 6);

        // One raised pixel (height h = 0.2) in the middle of a flat 5x5 map: |lap| = h at the pixel and h/4 at its 4
        // neighbours, averaged over the 25 pixels.
        using var bump = torch.ones(1, 5, 5);
        bump[0, 2, 2] = 1.2f;
        Assert.Equal((0.2 + 4 * 0.05) / 25, LiftingLosses.DepthSmoothness(bump).item<float>(), 6);
    }
}
