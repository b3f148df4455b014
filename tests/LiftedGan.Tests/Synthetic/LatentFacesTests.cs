using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Synthetic;

/// <summary>The fixed z → world map behind the world-fit teacher and its exact truth.</summary>
public class LatentFacesTests
{
    [Fact]
    public void TheMapIsDeterministicInRangeAndBlindToTheLatentNorm()
    {
        using var scope = NewDisposeScope();
        var z = randn([64, 128], generator: new Generator(3));
        var a = LatentFaces.Draws(z);
        var b = LatentFaces.Draws(z * 2.5);
        for (int i = 0; i < a.Count; i++)
        {
            // PixelNorm removes ‖z‖ before the generator sees z, so the map must not depend on it either.
            for (int k = 0; k < a[i].Parameters.Length; k++)
                Assert.Equal(a[i].Parameters[k], b[i].Parameters[k], 4);
            Assert.True(a[i].Noise.allclose(b[i].Noise, rtol: 1e-5, atol: 1e-5));
            foreach (var p in FaceParameters.All)
                Assert.InRange(a[i].Parameters[(int)p.Id], p.Min - 1e-6, p.Max + 1e-6);
        }
        foreach (var d in a.Concat(b)) d.Dispose();
    }

    [Fact]
    public void ParametersFollowTheWorldSamplersDistributions()
    {
        using var scope = NewDisposeScope();
        var draws = LatentFaces.Draws(randn([4000, 128], generator: new Generator(5)));
        double[] Column(FaceParam k) => draws.Select(d => (double)d.Parameters[(int)k]).ToArray();
        // Uniform yaw in [-45, 45]: mean 0, standard deviation 90 / sqrt(12) = 26.0.
        var yaw = Column(FaceParam.Yaw);
        double mean = yaw.Average(), sd = Math.Sqrt(yaw.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -1.5, 1.5);
        Assert.InRange(sd, 24.5, 27.5);
        // 15 % of identities wear glasses, 30 % have facial hair, half of the images an open mouth.
        Assert.InRange(Column(FaceParam.Glasses).Count(v => v > 0) / 4000.0, 0.12, 0.18);
        Assert.InRange(Column(FaceParam.FacialHair).Count(v => v > 0) / 4000.0, 0.26, 0.34);
        Assert.InRange(Column(FaceParam.MouthOpen).Count(v => v > 0) / 4000.0, 0.46, 0.54);
        // Texture noise cells are standard normal, as the world's own noise.
        var noise = stack(draws.Select(d => d.Noise).ToArray());
        Assert.InRange(noise.mean().item<float>(), -0.05, 0.05);
        Assert.InRange(noise.std().item<float>(), 0.95, 1.05);
        foreach (var d in draws) d.Dispose();
    }

    [Fact]
    public void TheFrontalLatentIsTheSameFaceFacingTheCameraUnderFrontalLight()
    {
        using var scope = NewDisposeScope();
        var z = randn([16, 128], generator: new Generator(11));
        var frontal = LatentFaces.Frontal(z);
        Assert.True(frontal.square().sum(1).sqrt().allclose(full(16, Math.Sqrt(128)), rtol: 1e-4, atol: 1e-4));
        var before = LatentFaces.Draws(z);
        var after = LatentFaces.Draws(frontal);
        var zeroed = new[] { FaceParam.Pitch, FaceParam.Yaw, FaceParam.Roll, FaceParam.TranslationX, FaceParam.TranslationY, FaceParam.TranslationZ, FaceParam.LightX, FaceParam.LightY };
        for (int i = 0; i < before.Count; i++)
        {
            foreach (var p in FaceParameters.All)
            {
                float expected = zeroed.Contains(p.Id) ? 0 : before[i].Parameters[(int)p.Id];
                Assert.Equal(expected, after[i].Parameters[(int)p.Id], 3);
            }
            // Only the texture noise's scale changes, by the energy the zeroed dimensions gave up.
            float scale = (after[i].Noise * before[i].Noise).sum().item<float>() / before[i].Noise.square().sum().item<float>();
            Assert.True(after[i].Noise.allclose(before[i].Noise * scale, rtol: 1e-3, atol: 1e-3));
            Assert.InRange(scale, 1.0, 1.2);
        }
        // Frontal twice is frontal once; the world's render of it shows the pose and light it says.
        Assert.True(LatentFaces.Frontal(frontal).allclose(frontal, rtol: 1e-5, atol: 1e-5));
        using var truth = LatentFaces.Truth(frontal, 32);
        Assert.True(truth.View.abs().max().item<float>() < 1e-4);
        Assert.True(truth.Light[.., 2..].abs().max().item<float>() < 1e-4);
        foreach (var d in before.Concat(after)) d.Dispose();
        Assert.Throws<SyntheticWorldException>(() => LatentFaces.Frontal(zeros(2, 40)));
    }

    [Fact]
    public void TruthRendersTheMappedFaceAndTooSmallLatentsAreRefused()
    {
        using var scope = NewDisposeScope();
        var z = randn([3, 80], generator: new Generator(9));
        using var truth = LatentFaces.Truth(z, 32);
        var draws = LatentFaces.Draws(z);
        using var again = FaceWorld.Render(draws, 32);
        Assert.True(truth.Images.eq(again.Images).all().item<bool>());
        Assert.Equal(new long[] { 3, 32, 32 }, truth.RenderedDepth.shape);
        var e = Assert.Throws<SyntheticWorldException>(() => LatentFaces.Draws(randn([2, 32])));
        Assert.Contains("at least", e.Message);
        foreach (var d in draws) d.Dispose();
    }
}
