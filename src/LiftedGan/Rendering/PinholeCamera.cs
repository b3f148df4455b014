using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// The official renderer's camera: at the origin, looking along +z, x to the image right, y down. Unprojection uses
/// the intrinsics K (fx = fy = (S-1) / (2 tan(fov/2)), cx = cy = (S-1)/2, pixel centres 0..S-1 spanning the field
/// of view); the rasteriser uses PyTorch3D's pixel-centre convention, pixel c at x/z = ((2c+1)/S - 1) tan(fov/2).
/// The two differ by S/(S-1): an identity view magnifies the texture by that factor, exactly as the official code.
/// </summary>
public sealed class PinholeCamera
{
    /// <summary>Creates the camera for an S x S image and a full field of view in degrees.</summary>
    public PinholeCamera(int imageSize, double fieldOfViewDegrees)
    {
        if (imageSize < 2) throw new RenderInputException(nameof(imageSize), $"must be at least 2, got {imageSize}");
        if (!(fieldOfViewDegrees > 0 && fieldOfViewDegrees < 180))
            throw new RenderInputException(nameof(fieldOfViewDegrees), $"must lie in (0, 180), got {fieldOfViewDegrees}");
        ImageSize = imageSize;
        TanHalfFov = Math.Tan(fieldOfViewDegrees * Math.PI / 360);
        Focal = (imageSize - 1) / (2 * TanHalfFov);
        Center = (imageSize - 1) / 2.0;
    }

    /// <summary>Image side S in pixels.</summary>
    public int ImageSize { get; }

    /// <summary>tan(fov / 2).</summary>
    public double TanHalfFov { get; }

    /// <summary>Focal length in pixels of the unprojection intrinsics: fx = fy = (S-1) / (2 tan(fov/2)).</summary>
    public double Focal { get; }

    /// <summary>Principal point of the unprojection intrinsics: cx = cy = (S-1)/2.</summary>
    public double Center { get; }

    /// <summary>The intrinsics K = [[f, 0, c], [0, f, c], [0, 0, 1]] as a 3 x 3 tensor.</summary>
    public Tensor Intrinsics(ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        tensor(new[] { Focal, 0, Center, 0, Focal, Center, 0, 0, 1 }, dtype: ScalarType.Float64).reshape(3, 3).to(dtype, device ?? CPU);

    /// <summary>K⁻¹, computed in double precision.</summary>
    public Tensor InverseIntrinsics(ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        tensor(new[] { 1 / Focal, 0, -Center / Focal, 0, 1 / Focal, -Center / Focal, 0, 0, 1 }, dtype: ScalarType.Float64)
            .reshape(3, 3).to(dtype, device ?? CPU);

    /// <summary>
    /// Pixel grid B x H x W x 2 in (x = column, y = row) order: integers 0..W-1 / 0..H-1, or with
    /// <paramref name="normalize"/> evenly spaced in [-1, 1] (the official get_grid).
    /// </summary>
    public static Tensor PixelGrid(long batch, long height, long width, bool normalize, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var dev = device ?? CPU;
        var xs = normalize ? linspace(-1, 1, width, dtype: dtype, device: dev) : arange(width, dtype: dtype, device: dev);
        var ys = normalize ? linspace(-1, 1, height, dtype: dtype, device: dev) : arange(height, dtype: dtype, device: dev);
        var grid = stack(new[] { xs.view(1, width).expand(height, width), ys.view(height, 1).expand(height, width) }, 2);
        return grid.unsqueeze(0).repeat(batch, 1, 1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Unprojects a depth map B x H x W to camera-space points B x H x W x 3: X = (u - cx)·d/fx, Y = (v - cy)·d/fy,
    /// Z = d, with u the column and v the row.
    /// </summary>
    public Tensor DepthTo3dGrid(Tensor depth)
    {
        RenderCheck.Shape(depth, nameof(depth), -1, -1, -1);
        using var scope = NewDisposeScope();
        long h = depth.shape[1], w = depth.shape[2];
        var u = arange(w, dtype: depth.dtype, device: depth.device).sub(Center).div(Focal).view(1, 1, w);
        var v = arange(h, dtype: depth.dtype, device: depth.device).sub(Center).div(Focal).view(1, h, 1);
        return stack(new[] { depth * u, depth * v, depth }, 3).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Projects camera-space points B x H x W x 3 through K and normalises pixel coordinates to [-1, 1]
    /// (u / (W-1)·2 - 1), giving a grid for grid_sample with align_corners = true (the official grid_3d_to_2d).
    /// </summary>
    public Tensor Grid3dTo2d(Tensor points)
    {
        RenderCheck.Shape(points, nameof(points), -1, -1, -1, 3);
        using var scope = NewDisposeScope();
        long h = points.shape[1], w = points.shape[2];
        var z = points[.., .., .., 2];
        var u = (points[.., .., .., 0] / z * Focal + Center) / (w - 1) * 2 - 1;
        var v = (points[.., .., .., 1] / z * Focal + Center) / (h - 1) * 2 - 1;
        return stack(new[] { u, v }, 3).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Projects camera-space points B x N x 3 to the rasteriser's screen space B x N x 3 = (column, row, view z), where
    /// the centre of pixel (r, c) is at (c, r): column = (S/2)(1 + (x/z)/tan(fov/2)) - 0.5, likewise row from y.
    /// </summary>
    public Tensor ToScreen(Tensor points)
    {
        RenderCheck.Shape(points, nameof(points), -1, -1, 3);
        using var scope = NewDisposeScope();
        var z = points[.., .., 2];
        double half = ImageSize / 2.0;
        var col = (points[.., .., 0] / z / TanHalfFov + 1) * half - 0.5;
        var row = (points[.., .., 1] / z / TanHalfFov + 1) * half - 0.5;
        return stack(new[] { col, row, z }, 2).MoveToOuterDisposeScope();
    }
}
