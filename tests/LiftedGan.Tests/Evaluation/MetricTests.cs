using LiftedGan.Evaluation;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Evaluation;

public class MetricTests
{
    [Fact]
    public void FidOfASetWithItselfIsZeroAndOfShiftedGaussiansIsKnown()
    {
        var g = new torch.Generator(1);
        using var a = torch.randn(4000, 8, generator: g, dtype: torch.float64);
        using var sa = FeatureStatistics.FromFeatures(a);
        Assert.True(Math.Abs(FrechetDistance.Compute(sa, sa)) < 1e-8);

        // Two Gaussians with known parameters: diag covariances 1 and 4, means 0 and 1 per dimension (d = 3):
        // ‖Δμ‖² = 3, Tr(1 + 4 − 2·2) = 3 per dim → total 3 + 3 = 6. Computed from exact statistics.
        using var m1 = torch.zeros(3, dtype: torch.float64);
        using var m2 = torch.ones(3, dtype: torch.float64);
        var s1 = new FeatureStatistics(m1, torch.eye(3, dtype: torch.float64), 10);
        var s2 = new FeatureStatistics(m2, 4 * torch.eye(3, dtype: torch.float64), 10);
        Assert.Equal(6.0, FrechetDistance.Compute(s1, s2), 9);
    }

    [Fact]
    public void FidIsSymmetricForNonCommutingCovariances()
    {
        var g = new torch.Generator(2);
        using var a = torch.randn(500, 5, generator: g, dtype: torch.float64);
        using var b = torch.randn(500, 5, generator: g, dtype: torch.float64).matmul(torch.randn(5, 5, generator: g, dtype: torch.float64));
        using var sa = FeatureStatistics.FromFeatures(a);
        using var sb = FeatureStatistics.FromFeatures(b);
        Assert.Equal(FrechetDistance.Compute(sa, sb), FrechetDistance.Compute(sb, sa), 6);
        Assert.True(FrechetDistance.Compute(sa, sb) > 0.1);
    }

    [Fact]
    public void KidSeparatesDistributions()
    {
        var g = new torch.Generator(3);
        using var a = torch.randn(600, 16, generator: g);
        using var b = torch.randn(600, 16, generator: g);
        using var c = torch.randn(600, 16, generator: g) + 0.5;
        var same = KernelDistance.Compute(a, b, subsets: 5, subsetSize: 300);
        var diff = KernelDistance.Compute(a, c, subsets: 5, subsetSize: 300);
        Assert.True(Math.Abs(same.Mean) < 0.02, $"same-distribution KID {same.Mean}");
        Assert.True(diff.Mean > 10 * Math.Abs(same.Mean) && diff.Mean > 0.05, $"{diff.Mean} vs {same.Mean}");

        // Sets no larger than the subset size: half-size subsets, so the spread over subsets is real.
        var small = KernelDistance.Compute(a, c, subsets: 5, subsetSize: 1000);
        Assert.True(small.Std > 1e-4 && Math.Abs(small.Mean - diff.Mean) < 5 * small.Std, $"{small} vs {diff}");
        Assert.Throws<ArgumentException>(() => KernelDistance.Compute(a[..1], c[..1]));
    }

    [Fact]
    public void SideIsZeroForScaledDepthAndKnownForALogShift()
    {
        var g = new torch.Generator(4);
        using var truth = 1 + 0.1 * torch.rand(2, 8, 8, generator: g);
        using var mask = torch.ones(2, 8, 8);
        using var scaled = truth * 1.7;
        Assert.True(DepthMetrics.Side(scaled, truth, mask).abs().max().item<double>() < 1e-7);
        // δ alternating ±a on a checkerboard → SIDE = a.
        using var checker = (torch.arange(64).reshape(8, 8) % 2 * 2 - 1).to(torch.float64).expand(2, 8, 8);
        using var pred = truth.to(torch.float64) * (0.05 * checker).exp();
        Assert.Equal(0.05, DepthMetrics.Side(pred, truth, mask)[0].item<double>(), 6);
    }

    [Fact]
    public void ReliefRatioReadsTheDepthOfReliefAndIgnoresScaleAndTheMaskedOut()
    {
        var g = new torch.Generator(6);
        using var truth = 1 + 0.05 * torch.rand(2, 8, 8, generator: g, dtype: torch.float64);
        using var mask = torch.ones(2, 8, 8);
        mask[1, 0] = 0;
        using var scaled = truth * 1.3;
        scaled[1, 0] = 50; // outside the mask
        using var r = DepthMetrics.ReliefRatio(scaled, truth, mask);
        Assert.Equal(1.0, r[0].item<double>(), 9);
        Assert.Equal(1.0, r[1].item<double>(), 9);
        // Twice the log relief (d² = exp(2 log d)) reads 2, a plane facing the camera 0, the mirrored relief 1.
        using var deeper = truth.pow(2);
        Assert.Equal(2.0, DepthMetrics.ReliefRatio(deeper, truth, mask)[0].item<double>(), 9);
        using var plane = torch.ones_like(truth);
        Assert.Equal(0.0, DepthMetrics.ReliefRatio(plane, truth, mask)[0].item<double>(), 9);
        using var inverted = truth.reciprocal();
        Assert.Equal(1.0, DepthMetrics.ReliefRatio(inverted, truth, mask)[0].item<double>(), 9);
    }

    [Fact]
    public void NormalizedDepthErrorIgnoresScaleAndShiftAndMask()
    {
        var g = new torch.Generator(5);
        using var truth = torch.rand(1, 10, 10, generator: g);
        using var mask = torch.ones(1, 10, 10);
        mask[0, 0] = 0;
        using var pred = truth * 3 + 2;
        pred[0, 0] = 100; // outside the mask
        Assert.True(DepthMetrics.NormalizedDepthError(pred, truth, mask).item<double>() < 1e-6);
        using var neg = -truth;
        Assert.Equal(2.0, DepthMetrics.NormalizedDepthError(neg, truth, mask).item<double>(), 6);
    }

    [Fact]
    public void MadIsZeroForIdenticalNormalsAndKnownForARotation()
    {
        using var n = torch.zeros(1, 4, 4, 3);
        n[.., .., .., 2] = 1;
        using var mask = torch.ones(1, 4, 4);
        Assert.True(DepthMetrics.Mad(n, n, mask).item<double>() < 1e-9);
        double a = 20 * Math.PI / 180;
        using var r = torch.zeros(1, 4, 4, 3);
        r[.., .., .., 0] = Math.Sin(a);
        r[.., .., .., 2] = Math.Cos(a);
        Assert.Equal(20.0, DepthMetrics.Mad(r, n, mask).item<double>(), 4);
    }

    [Fact]
    public void MadRenormalisesNormalsThatAreNotExactlyUnit()
    {
        using var n = torch.zeros(1, 2, 2, 3);
        n[.., .., .., 2] = 1;
        using var longer = n * 1.002;
        using var mask = torch.ones(1, 2, 2);
        Assert.True(DepthMetrics.Mad(longer, n, mask).item<double>() < 1e-6);
    }

    [Fact]
    public void ErosionRemovesTheRim()
    {
        using var m = torch.zeros(1, 6, 6);
        m[0, 1..5, 1..5] = 1;
        using var e = DepthMetrics.Erode(m);
        Assert.Equal(4f, e.sum().item<float>());
        Assert.Equal(1f, e[0, 2, 2].item<float>());
    }

    [Fact]
    public void AngleErrorRemovesTheMeanOffset()
    {
        Assert.Equal(0, AngleError.MeanCentredAbsolute(new[] { 10.0, 20, 30 }, new[] { 0.0, 10, 20 }), 9);
        Assert.Equal(1, AngleError.MeanCentredAbsolute(new[] { 1.0, -1 }, new[] { 0.0, 0 }), 9);
        Assert.Throws<ArgumentException>(() => AngleError.MeanCentredAbsolute(new[] { 1.0 }, Array.Empty<double>()));
    }

    [Fact]
    public void AngleCorrelationIgnoresOffsetAndScaleAndKeepsTheSign()
    {
        Assert.Equal(1, AngleError.Correlation(new[] { 10.0, 20, 40 }, new[] { 1.0, 2, 4 }), 9);
        Assert.Equal(-1, AngleError.Correlation(new[] { -3.0, 0, 3 }, new[] { 1.0, 0, -1 }), 9);
        // x = (-1, 0, 1), y = (0, 1, 0): covariance 0.
        Assert.Equal(0, AngleError.Correlation(new[] { -1.0, 0, 1 }, new[] { 0.0, 1, 0 }), 9);
        Assert.True(double.IsNaN(AngleError.Correlation(new[] { 2.0, 2 }, new[] { 0.0, 1 })));
        Assert.Throws<ArgumentException>(() => AngleError.Correlation(new[] { 1.0 }, new[] { 1.0 }));
    }
}
