using LiftedGan.Imaging;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Synthetic;

public class FaceWorldTests(ITestOutputHelper output)
{
    [Fact]
    public void SameGeneratorSeedGivesIdenticalBatches()
    {
        TorchRuntime.EnsureLoaded();
        using var a = FaceWorld.SampleBatch(3, 32, new Generator(21));
        using var b = FaceWorld.SampleBatch(3, 32, new Generator(21));
        using var c = FaceWorld.SampleBatch(3, 32, new Generator(22));
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.True(a.RenderedDepth.eq(b.RenderedDepth).all().item<bool>());
        Assert.True(a.Parameters.eq(b.Parameters).all().item<bool>());
        Assert.False(a.Images.eq(c.Images).all().item<bool>());
        Assert.Equal(new long[] { 3, 3, 32, 32 }, a.Images.shape);
        Assert.True(a.Images.min().item<float>() >= -1 && a.Images.max().item<float>() <= 1);
    }

    [Fact]
    public void RenderingDoesNotDependOnTheBatching()
    {
        TorchRuntime.EnsureLoaded();
        var draws = Enumerable.Range(0, 3).Select(i => FaceDraw.Create(8, i)).ToList();
        using var all = FaceWorld.Render(draws, 32);
        using var last = FaceWorld.Render(draws.Skip(2).ToList(), 32);
        Assert.True(all.Images[2].eq(last.Images[0]).all().item<bool>());
        Assert.True(all.Normals[2].eq(last.Normals[0]).all().item<bool>());
        draws.ForEach(d => d.Dispose());
    }

    [Fact]
    public void ReRenderingTheStoredGroundTruthReproducesTheImage()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var batch = FaceWorld.SampleBatch(4, 64, new Generator(5));
        var renderer = FaceWorld.Renderer(64);
        using var again = renderer.RenderShaded(batch.CanonicalDepth, batch.Albedo, batch.Light, batch.RawView, batch.TransformMap);
        var image = FaceWorld.FillUncovered(again.Render.Image, again.Render.Mask).clamp(-1, 1);
        double error = (image - batch.Images).abs().max().item<float>();
        double uncovered = (1 - again.Render.Mask).mean().item<float>();
        output.WriteLine($"re-render max abs error {error:E2} (image range [-1, 1]); uncovered pixels filled: {uncovered:P3}");
        Assert.True(error < 1e-5, $"max abs error {error}");

        // The stored 8-bit PNG differs from the float image by quantisation only.
        string png = Path.Combine(Path.GetTempPath(), $"synth-{Guid.NewGuid():N}.png");
        ImageIO.SavePng(png, batch.Images[0]);
        var stored = ImageIO.Load(png);
        File.Delete(png);
        double quantisation = (stored - image[0]).abs().max().item<float>();
        output.WriteLine($"PNG vs re-render max abs error {quantisation:E2} (half an 8-bit step: {1 / 255.0:E2})");
        Assert.True(quantisation <= 1 / 255.0 + 1e-6);

        // Rendered depth is the stored canonical depth seen from the view: the face is nearer than the background.
        var depthInFace = batch.RenderedDepth.masked_select(batch.RenderedMask.gt(0.99));
        Assert.True(depthInFace.max().item<float>() < FaceModel.BackgroundDepth);
        Assert.True(batch.RenderedMask.mean().item<float>() is > 0.15f and < 0.8f);
    }

    [Fact]
    public void PoseMovesTheFaceButNotTheBackground()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var d = FaceDraw.Create(2, 0);
        var left = d with { Parameters = With(d.Parameters, FaceParam.Yaw, 40) };
        var right = d with { Parameters = With(d.Parameters, FaceParam.Yaw, -40) };
        using var b = FaceWorld.Render(new[] { left, right }, 64);
        // Background: pixels at least 2 pixels away from the foreground in both images.
        var near = nn.functional.max_pool2d(b.RenderedMask.unsqueeze(1), 5, stride: 1, padding: 2).squeeze(1);
        var background = near[0].lt(0.01).logical_and(near[1].lt(0.01)).to_type(ScalarType.Float32);
        var diff = (b.Images[0] - b.Images[1]).abs().sum(dim: 0);
        double moved = (diff * background).max().item<float>();
        output.WriteLine($"background: {background.mean().item<float>():P1} of the image, max change {moved:E2}");
        Assert.True(background.mean().item<float>() > 0.2);
        Assert.True(moved < 1e-4, $"background must stay static, changed by {moved}");
        Assert.True(diff.mean().item<float>() > 0.02, "the head must turn");
        // Positive yaw moves the nose (the nearest point) to the image left.
        long Column(Tensor depth) => depth.flatten().argmin().item<long>() % 64;
        Assert.True(Column(b.RenderedDepth[0]) < Column(b.RenderedDepth[1]));
        d.Dispose();
    }

    [Fact]
    public void YawSweepTurnsOneFace()
    {
        TorchRuntime.EnsureLoaded();
        using var d = FaceDraw.Create(6, 3);
        using var sweep = FaceWorld.RenderYawSweep(d, new[] { -30.0, 0, 30 }, 32);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, sweep.Images.shape);
        Assert.Equal(new long[] { 1, 1, 1 }, sweep.Identities.Select(i => i - d.Identity + 1).ToArray());
        Assert.Equal(30 * Math.PI / 180, sweep.View[2, 1].item<float>(), 5);
        Assert.Equal(0f, sweep.View[1].abs().max().item<float>());
        Assert.True(sweep.CanonicalDepth[0].eq(sweep.CanonicalDepth[2]).all().item<bool>(), "same face, only the view changes");
        Assert.False(sweep.Images[0].eq(sweep.Images[2]).all().item<bool>());
    }

    static float[] With(float[] row, FaceParam k, float value)
    {
        var r = (float[])row.Clone();
        r[(int)k] = value;
        return r;
    }
}
