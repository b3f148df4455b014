using LiftedGan.Cli;
using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>Conventions, sweeps, the LiftedGAN render wrapper, bad input and the bench command.</summary>
public class RendererApiTests
{
    const int S = 32;
    static readonly DepthMapRenderer R = new(new RendererOptions { ImageSize = S });

    /// <summary>A plane at 1.0 with a rounded bump ("nose") of height 0.08 at the image centre.</summary>
    static Tensor BumpDepth(long batch = 1)
    {
        var g = PinholeCamera.PixelGrid(batch, S, S, true);
        return 1.0f - 0.08f * (-g.pow(2).sum(3) / 0.05f).exp();
    }

    static (double Row, double Col) NosePosition(Tensor renderedDepth)
    {
        long at = renderedDepth[0].argmin().item<long>();
        return (at / S, at % S);
    }

    [Theory]
    [InlineData(20.0, 0.0)]
    [InlineData(0.0, 20.0)]
    public void PositiveYawMovesTheNoseLeftAndPositivePitchMovesItDown(double yawDegrees, double pitchDegrees)
    {
        using var scope = NewDisposeScope();
        var depth = BumpDepth();
        var (r0, c0) = NosePosition(R.RenderDepth(depth, zeros(1, 6)));
        var view = tensor(new[] { (float)(pitchDegrees * Math.PI / 180), (float)(yawDegrees * Math.PI / 180), 0, 0, 0, 0 }).view(1, 6);
        var (r1, c1) = NosePosition(R.RenderDepth(depth, view));
        // The symmetric bump's nearest pixel is a near-tie between neighbours: allow one pixel across the motion.
        if (yawDegrees > 0) { Assert.True(c1 < c0 - 1, $"nose column {c0} -> {c1}"); Assert.True(Math.Abs(r1 - r0) <= 1); }
        else { Assert.True(r1 > r0 + 1, $"nose row {r0} -> {r1}"); Assert.True(Math.Abs(c1 - c0) <= 1); }
    }

    [Fact]
    public void TransformationMapZeroKeepsTheCanonicalImage()
    {
        using var scope = NewDisposeScope();
        var depth = BumpDepth();
        var image = rand(1, 3, S, S, generator: new torch.Generator(3)) * 2 - 1;
        var view = tensor(new[] { 0.2f, 0.5f, 0.1f, 0.05f, 0, 0 }).view(1, 6);
        using var keep = R.Render(depth, image, view, zeros(1, 1, S, S));
        using var identity = R.Render(depth, image, zeros(1, 6));
        Assert.True((keep.Image - identity.Image).abs().max().item<float>() < 1e-5f);
        using var moved = R.Render(depth, image, view, ones(1, 1, S, S));
        Assert.True((moved.Image - identity.Image).abs().max().item<float>() > 0.1f);
    }

    [Fact]
    public void YawSweepRunsFromPlusToMinusMaxAndItsMiddleFrameIsTheIdentityRender()
    {
        using var scope = NewDisposeScope();
        var depth = BumpDepth(2);
        var image = rand(2, 3, S, S, generator: new torch.Generator(4)) * 2.4 - 1.2;
        var frames = R.RenderYaw(depth, image, maxDegrees: 40, samples: 5);
        Assert.Equal(new long[] { 2, 5, 3, S, S }, frames.shape);
        Assert.True(frames.abs().max().item<float>() <= 1f, "frames are clamped to [-1, 1]");
        using var identity = R.Render(depth, image, zeros(2, 6));
        Assert.True((frames[.., 2] - identity.Image.clamp(-1, 1)).abs().max().item<float>() < 1e-5f);
        // Frame 0 is +40° yaw: equal to rendering with view ry = +40°.
        using var first = R.Render(depth, image, tensor(new[] { 0, (float)(40 * Math.PI / 180), 0 }).view(1, 3).expand(2, 3));
        Assert.True((frames[.., 0] - first.Image.clamp(-1, 1)).abs().max().item<float>() < 1e-5f);
        var sweep = R.RenderSweep(depth, image, new[] { (10.0, -5.0) });
        using var posed = R.Render(depth, image, tensor(new[] { (float)(10 * Math.PI / 180), (float)(-5 * Math.PI / 180), 0 }).view(1, 3).expand(2, 3));
        Assert.True((sweep[.., 0] - posed.Image.clamp(-1, 1)).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void ShadedRenderMatchesItsParts()
    {
        using var scope = NewDisposeScope();
        var gen = new torch.Generator(8);
        var depth = BumpDepth(2);
        var albedo = rand(2, 3, S, S, generator: gen) * 2 - 1;
        var light = rand(2, 4, generator: gen) * 2 - 1;
        var rawView = (rand(2, 6, generator: gen) * 2 - 1) * 0.5f;
        var tmap = rand(2, 1, S, S, generator: gen);
        using var shaded = R.RenderShaded(depth, albedo, light, rawView, tmap);
        using var parsed = Lighting.Parse(light);
        var shading = Lighting.Shading(R.Normals(depth), parsed);
        Assert.True((shaded.CanonShading - shading).abs().max().item<float>() < 1e-6f);
        var canon = Lighting.Shade(albedo, shading);
        using var plain = R.Render(depth, canon, ViewTransform.ScaleRawView(rawView), tmap);
        Assert.True((shaded.Render.Image - plain.Image).abs().max().item<float>() < 1e-6f);
        Assert.True(shaded.Render.Mask.eq(plain.Depth.lt(1.2f).unsqueeze(1).to(ScalarType.Float32)).all().item<bool>());
        using var unlit = R.RenderShaded(depth, albedo, light, rawView, tmap, useLight: false);
        Assert.True((unlit.CanonImage - albedo).abs().max().item<float>() == 0);
    }

    [Fact]
    public void BackgroundTakesTheBackgroundColourAndDepth()
    {
        using var scope = NewDisposeScope();
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S, BackgroundColor = -0.25 });
        var depth = BumpDepth();
        var image = zeros(1, 3, S, S);
        // A strong yaw uncovers one side of the image.
        using var r = renderer.Render(depth, image, tensor(new[] { 0, 1.0f, 0 }).view(1, 3));
        var background = r.Mask.eq(0).squeeze(1);
        Assert.True(background.any().item<bool>());
        Assert.True(r.Image[0, 0].masked_select(background[0]).eq(-0.25f).all().item<bool>());
        Assert.True(r.Depth.masked_select(background).eq(1.2f).all().item<bool>());
        Assert.True(r.Image[0, 0].masked_select(background[0].logical_not()).eq(0).all().item<bool>());
    }

    [Fact]
    public void RenderMeshDrawsAnyMeshWithTheNearerSurfaceInFront()
    {
        using var scope = NewDisposeScope();
        // Two camera-facing squares (2 faces each): red at z = 1.0 spanning x, y in ±0.03, blue at z = 0.9 in ±0.01.
        float[] Square(float half, float z) => new[] { -half, -half, z, half, -half, z, -half, half, z, half, half, z };
        var vertices = tensor(Square(0.03f, 1.0f).Concat(Square(0.01f, 0.9f)).ToArray()).view(1, 8, 3);
        var faces = tensor(new[] { 0, 1, 2, 2, 1, 3, 4, 5, 6, 6, 5, 7 }).view(4, 3);
        var colours = tensor(new[] { 1f, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1 }).view(1, 8, 3);
        using var r = R.RenderMesh(vertices, faces, colours);
        Assert.Equal(new long[] { 1, 3, S, S }, r.Image.shape);
        Assert.Equal(1f, r.Image[0, 2, S / 2, S / 2].item<float>(), 5);     // blue square in front at the centre
        Assert.Equal(0.9f, r.Depth[0, S / 2, S / 2].item<float>(), 5);
        Assert.Equal(1f, r.Image[0, 0, S / 2, S / 2 + 4].item<float>(), 5); // red square around it
        Assert.Equal(1f, r.Depth[0, S / 2, S / 2 + 4].item<float>(), 5);
        Assert.Equal(0f, r.Mask[0, 0, 0, 0].item<float>());                 // background corner
    }

    public static TheoryData<string> BadInputs => new()
    {
        "nan depth", "negative depth", "empty batch", "depth size", "image size", "image batch", "view length",
        "view batch", "map shape", "inf image", "face index",
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesATypedError(string which)
    {
        using var scope = NewDisposeScope();
        var depth = BumpDepth(2);
        var image = zeros(2, 3, S, S);
        var view = zeros(2, 6);
        Tensor? map = null;
        switch (which)
        {
            case "nan depth": depth[1, 3, 4] = float.NaN; break;
            case "negative depth": depth[0, 0, 0] = -1; break;
            case "empty batch": depth = zeros(0, S, S); image = zeros(0, 3, S, S); view = zeros(0, 6); break;
            case "depth size": depth = ones(2, S, S + 1); break;
            case "image size": image = zeros(2, 3, S - 1, S); break;
            case "image batch": image = zeros(1, 3, S, S); break;
            case "view length": view = zeros(2, 4); break;
            case "view batch": view = zeros(3, 6); break;
            case "map shape": map = ones(2, S, S); break;
            case "inf image": image[0, 0, 0, 0] = float.PositiveInfinity; break;
            case "face index":
                var e1 = Assert.Throws<RenderInputException>(() => Rasterizer.Rasterize(zeros(1, 3, 3), tensor(new[] { 0, 1, 3 }).view(1, 3), 4, 4));
                Assert.Equal("faces", e1.Argument);
                return;
        }
        var e = Assert.Throws<RenderInputException>(() => R.Render(depth, image, view, map));
        Assert.Contains(": ", e.Message);
        Assert.StartsWith(e.Argument, e.Message);
    }

    [Fact]
    public void BenchCommandPrintsARowPerSizeAndRejectsBadValues()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "bench", "render", "--sizes", "8", "12", "--batch", "2", "--iterations", "1" }, output, error));
        var text = output.ToString();
        Assert.Contains("render 8x8 B=2", text);
        Assert.Contains("render 12x12 B=2", text);
        Assert.Equal(1, Program.Run(new[] { "bench", "render", "--batch", "0" }, output, error));
        Assert.Contains("liftedgan: error: --batch: must be at least 1", error.ToString());
    }
}
