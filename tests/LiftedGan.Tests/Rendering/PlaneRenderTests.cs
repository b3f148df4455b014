using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>Planes rendered against closed forms.</summary>
public class PlaneRenderTests
{
    const int S = 64;

    /// <summary>Vertex attributes (u, v) = each vertex's own column and row, B x (S·S) x 2.</summary>
    static Tensor PixelCoordinates(long batch) => PinholeCamera.PixelGrid(batch, S, S, false, ScalarType.Float64).reshape(batch, -1, 2);

    [Fact]
    public void FrontoParallelPlaneRendersToItself()
    {
        using var scope = NewDisposeScope();
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S });
        var depth = full(2, S, S, 1.0, dtype: ScalarType.Float64);
        var view = zeros(2, 6, dtype: ScalarType.Float64);
        // An affine texture is reproduced exactly by barycentric interpolation.
        var uv = PixelCoordinates(2).reshape(2, S, S, 2).permute(0, 3, 1, 2);
        var image = cat(new[] { uv, (uv[.., 0..1] * 0.3 - uv[.., 1..2] * 0.7 + 2) }, 1);
        using var result = renderer.Render(depth, image, view);

        Assert.True(result.Mask.eq(1).all().item<bool>(), "the plane must cover every pixel");
        Assert.True((result.Depth - 1).abs().max().item<double>() < 1e-6);
        // Pixel c shows the ray of vertex coordinate u = (S-1)(2c+1)/(2S): the S/(S-1) magnification.
        var expectedU = arange(S, dtype: ScalarType.Float64).mul(2).add(1).mul((S - 1) / (2.0 * S));
        var errU = (result.Image[.., 0] - expectedU.view(1, 1, S)).abs().max().item<double>();
        var errV = (result.Image[.., 1] - expectedU.view(1, S, 1)).abs().max().item<double>();
        var errC = (result.Image[.., 2] - (result.Image[.., 0] * 0.3 - result.Image[.., 1] * 0.7 + 2)).abs().max().item<double>();
        Assert.True(errU < 1e-4 && errV < 1e-4 && errC < 1e-4, $"u {errU:E2} v {errV:E2} c {errC:E2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TiltedPlaneMatchesTheHomography(bool perspectiveCorrect)
    {
        using var scope = NewDisposeScope();
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S, PerspectiveCorrect = perspectiveCorrect });
        var cam = renderer.Camera;
        // Canonical plane Z = z0 + a·X + b·Y: depth per pixel from the ray (x', y', 1)·d.
        double z0 = 1.0, a = 0.4, b = -0.25;
        var grid = PixelCoordinates(1).reshape(1, S, S, 2);
        var xr = (grid[.., .., .., 0] - cam.Center) / cam.Focal;
        var yr = (grid[.., .., .., 1] - cam.Center) / cam.Focal;
        var depth = z0 / (1 - a * xr - b * yr);
        // Attributes: the vertex's own pixel coordinates (u, v) and its canonical 3-D point (X, Y, Z).
        var canonPoints = cam.DepthTo3dGrid(depth);
        var image = cat(new[] { grid, canonPoints }, 3).permute(0, 3, 1, 2);
        var viewValues = new[] { 0.1, 0.35, 0.05, 0.01, -0.02, 0.03 };
        var view = tensor(viewValues, dtype: ScalarType.Float64).view(1, 6);
        using var result = renderer.Render(depth, image, view);

        // Closed form: the pixel's ray meets the warped plane; map that point back (inverse warp) and project with K.
        using var t = renderer.Transform(view);
        var rt = t.Rotation[0];
        var tr = t.Translation[0, 0];
        var centre = tensor(new[] { 0.0, 0, 1 }, dtype: ScalarType.Float64);
        var nCanon = tensor(new[] { -a, -b, 1.0 }, dtype: ScalarType.Float64); // n·P = z0
        var n = rt.matmul(nCanon);
        var p0 = rt.matmul(tensor(new[] { 0, 0, z0 }, dtype: ScalarType.Float64) - centre) + centre + tr; // a point on the warped plane
        var pix = arange(S, dtype: ScalarType.Float64).mul(2).add(1).div(S).sub(1).mul(cam.TanHalfFov);
        var ray = stack(new[] { pix.view(1, S).expand(S, S), pix.view(S, 1).expand(S, S), ones(S, S, dtype: ScalarType.Float64) }, 2);
        var s = (n * p0).sum() / (ray * n).sum(2, keepdim: true);
        var hit = ray * s;
        var canon = (hit - tr - centre).matmul(rt) + centre;
        var u = canon[.., .., 0] / canon[.., .., 2] * cam.Focal + cam.Center;
        var v = canon[.., .., 1] / canon[.., .., 2] * cam.Focal + cam.Center;

        var mask = result.Mask[0, 0].to(ScalarType.Bool);
        var covered = mask.sum().item<long>();
        Assert.True(covered > S * S / 2, $"only {covered} pixels covered");
        var err = stack(new[] { (result.Image[0, 0] - u).abs(), (result.Image[0, 1] - v).abs() }, 0).masked_select(mask.unsqueeze(0).expand(2, S, S)).max().item<double>();
        // (u, v) is a projective function of the surface, so no barycentric scheme reproduces it exactly; within
        // ~1 px triangles the error is second order (measured ~4e-4 px).
        Assert.True(err < 1e-3, $"max texture-coordinate error {err:E3} px");
        // Canonical 3-D points are affine on the plane: perspective-correct barycentrics reproduce them exactly,
        // screen-space ones (the official setting) only approximately.
        var pointErr = (result.Image[0, 2..5].permute(1, 2, 0) - canon).abs().amax(2).masked_select(mask).max().item<double>();
        if (perspectiveCorrect) Assert.True(pointErr < 1e-9, $"perspective-correct 3-D point error {pointErr:E3}");
        else Assert.True(pointErr is > 1e-9 and < 1e-5, $"screen-space 3-D point error {pointErr:E3}");
        var depthErr = (result.Depth[0] - hit[.., .., 2]).abs().masked_select(mask).max().item<double>();
        Assert.True(depthErr < 1e-5, $"rendered depth error {depthErr:E3}");
    }
}
