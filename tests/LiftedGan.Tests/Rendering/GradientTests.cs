using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>Renderer gradients against float64 central differences (face choice held fixed, as in PyTorch3D).</summary>
public class GradientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InterpolationGradientsReachScreenVerticesAndAttributes(bool perspectiveCorrect)
    {
        using var scope = NewDisposeScope();
        var gen = new torch.Generator(11);
        // A 3 x 3 vertex grid (8 faces) jittered over a 10 x 10 image, two samples.
        var faces = GridMesh.Faces(3, 3);
        var grid = PinholeCamera.PixelGrid(2, 3, 3, false, ScalarType.Float64).reshape(2, 9, 2) * 4.3 + 0.6;
        var xy = grid + randn(new long[] { 2, 9, 2 }, dtype: ScalarType.Float64, generator: gen) * 0.4;
        var z = rand(new long[] { 2, 9, 1 }, dtype: ScalarType.Float64, generator: gen) + 1;
        var screen = cat(new[] { xy, z }, 2);
        var colours = randn(new long[] { 2, 9, 4 }, dtype: ScalarType.Float64, generator: gen);
        var weights = randn(new long[] { 2, 10, 10, 4 }, dtype: ScalarType.Float64, generator: gen);

        Tensor Loss(Tensor[] x)
        {
            using var fr = Rasterizer.Rasterize(x[0], faces, 10, 10, perspectiveCorrect);
            var bary = Interpolation.Barycentrics(x[0], faces, fr);
            return (Interpolation.Interpolate(x[1], faces, fr, bary, 0.5) * weights).sum();
        }
        Tensor State(Tensor[] x)
        {
            using var fr = Rasterizer.Rasterize(x[0], faces, 10, 10, perspectiveCorrect);
            return fr.FaceIndex.clone();
        }
        int n = GradCheck.Check(Loss, new[] { screen, colours }, State);
        Assert.Equal(2 * 9 * 3 + 2 * 9 * 4, n);
    }

    [Fact]
    public void GradientIsExactForPixelsRightNextToAnEdge()
    {
        using var scope = NewDisposeScope();
        // Two faces sharing the edge A-B, which passes 1e-4 px beside pixel (row 2, col 2) (inside face 0) and
        // 1e-4 px beside pixel (row 1, col 3) (inside face 1).
        const double delta = 1e-4;
        double dx = 1 - 2 * delta, ax = 2 + delta - 3 * dx, bx = 2 + delta + 3 * dx;
        var screen = tensor(new[]
        {
            -0.5, -0.5, 1.2,  bx, -1, 1.0,  ax, 5, 1.1,  6, 6, 0.9,
        }, dtype: ScalarType.Float64).view(1, 4, 3);
        var faces = tensor(new[] { 0, 1, 2, 2, 1, 3 }).view(2, 3);
        var colours = tensor(new[] { 1.0, -2, 0.5, 3 }, dtype: ScalarType.Float64).view(1, 4, 1);
        using (var fr = Rasterizer.Rasterize(screen, faces, 6, 6))
        {
            Assert.Equal(0L, fr.FaceIndex[0, 2, 2].item<long>());
            Assert.Equal(1L, fr.FaceIndex[0, 1, 3].item<long>());
            Assert.True(fr.Barycentrics[0, 2, 2].min().item<float>() < 1e-4f, "pixel (2, 2) must be next to an edge");
            Assert.True(fr.Barycentrics[0, 1, 3].min().item<float>() < 1e-4f, "pixel (1, 3) must be next to an edge");
        }
        var pixelMask = zeros(1, 6, 6, 1, dtype: ScalarType.Float64);
        pixelMask[0, 2, 2, 0] = 1;
        pixelMask[0, 1, 3, 0] = -0.7;
        Tensor Loss(Tensor[] x)
        {
            using var fr = Rasterizer.Rasterize(x[0], faces, 6, 6);
            var bary = Interpolation.Barycentrics(x[0], faces, fr);
            return (Interpolation.Interpolate(x[1], faces, fr, bary) * pixelMask).sum();
        }
        Tensor State(Tensor[] x)
        {
            using var fr = Rasterizer.Rasterize(x[0], faces, 6, 6);
            return fr.FaceIndex.clone();
        }
        GradCheck.Check(Loss, new[] { screen, colours }, State, eps: 1e-7);
    }

    [Fact]
    public void RenderGradientsReachDepthViewTransformationMapAndColours()
    {
        using var scope = NewDisposeScope();
        const int S = 8;
        var gen = new torch.Generator(5);
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S });
        var depth = 1 + 0.04 * randn(new long[] { 1, S, S }, dtype: ScalarType.Float64, generator: gen);
        var colours = randn(new long[] { 1, 3, S, S }, dtype: ScalarType.Float64, generator: gen);
        var view = tensor(new[] { 0.05, 0.2, -0.03, 0.004, -0.003, 0.002 }, dtype: ScalarType.Float64).view(1, 6);
        var tmap = 0.6 + 0.4 * rand(new long[] { 1, 1, S, S }, dtype: ScalarType.Float64, generator: gen);
        var weights = randn(new long[] { 1, 3, S, S }, dtype: ScalarType.Float64, generator: gen);

        Tensor Loss(Tensor[] x)
        {
            using var r = renderer.Render(x[0], x[1], x[2], x[3]);
            Assert.False(r.Depth.requires_grad);
            return (r.Image * weights).sum();
        }
        Tensor State(Tensor[] x)
        {
            var vertices = renderer.MeshVertices(x[0], x[2], x[3]);
            using var fr = Rasterizer.Rasterize(renderer.Camera.ToScreen(vertices), renderer.Faces(S, S, CPU), S, S);
            return fr.FaceIndex.clone();
        }
        int n = GradCheck.Check(Loss, new[] { depth, colours, view, tmap }, State);
        Assert.Equal(S * S + 3 * S * S + 6 + S * S, n);
    }

    [Fact]
    public void ShadedRenderGradientsReachDepthThroughNormalsAndGeometry()
    {
        using var scope = NewDisposeScope();
        const int S = 8;
        var gen = new torch.Generator(9);
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S });
        var depth = 1 + 0.03 * randn(new long[] { 1, S, S }, dtype: ScalarType.Float64, generator: gen);
        var albedo = rand(new long[] { 1, 3, S, S }, dtype: ScalarType.Float64, generator: gen) * 1.6 - 0.8;
        var light = tensor(new[] { 0.1, 0.6, 0.3, -0.2 }, dtype: ScalarType.Float64).view(1, 4);
        var view = tensor(new[] { -0.1, 0.3, 0.0, 0.1, 0.05, 0.2 }, dtype: ScalarType.Float64).view(1, 6);
        var weights = randn(new long[] { 1, 3, S, S }, dtype: ScalarType.Float64, generator: gen);
        Tensor Loss(Tensor[] x)
        {
            using var r = renderer.RenderShaded(x[0], x[1], x[2], x[3]);
            return (r.Render.Image * weights).sum();
        }
        Tensor State(Tensor[] x)
        {
            var vertices = renderer.MeshVertices(x[0], ViewTransform.ScaleRawView(x[3]));
            using var fr = Rasterizer.Rasterize(renderer.Camera.ToScreen(vertices), renderer.Faces(S, S, CPU), S, S);
            return fr.FaceIndex.clone();
        }
        GradCheck.Check(Loss, new[] { depth, albedo, light, view }, State);
    }
}
