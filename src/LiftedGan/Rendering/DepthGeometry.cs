using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>Geometry derived from a canonical depth map: normals, border clamping and the depth range mapping.</summary>
public static class DepthGeometry
{
    /// <summary>
    /// Normals B x H x W x 3 of a depth map B x H x W (official get_normal_from_depth): with c a pixel's 3-D point and
    /// N, S, W, E its neighbours one row up, one row down, one column left, one column right,
    /// n = (W-c)×(N-c) + (N-c)×(E-c) + (E-c)×(S-c) + (S-c)×(W-c); the border is replicate-padded; then
    /// n / (|n| + 1e-7) when <paramref name="normalize"/>. A fronto-parallel plane gives (0, 0, +1) (pointing away
    /// from the camera); depth growing to the right gives a negative x component.
    /// </summary>
    public static Tensor NormalsFromDepth(PinholeCamera camera, Tensor depth, bool normalize = true)
    {
        RenderCheck.Shape(depth, nameof(depth), -1, -1, -1);
        if (depth.shape[1] < 3 || depth.shape[2] < 3)
            throw new RenderInputException(nameof(depth), $"normals need at least 3 x 3 pixels, got {depth.shape[1]} x {depth.shape[2]}");
        using var scope = NewDisposeScope();
        var p = camera.DepthTo3dGrid(depth);
        var c = p[.., 1..^1, 1..^1];
        var north = p[.., ..^2, 1..^1] - c;
        var south = p[.., 2.., 1..^1] - c;
        var west = p[.., 1..^1, ..^2] - c;
        var east = p[.., 1..^1, 2..] - c;
        var n = Cross(west, north) + Cross(north, east) + Cross(east, south) + Cross(south, west);
        n = nn.functional.pad(n.permute(0, 3, 1, 2), new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate).permute(0, 2, 3, 1);
        if (normalize) n = n / (n.pow(2).sum(3, keepdim: true).sqrt() + 1e-7);
        return n.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Cross product along the last axis of two ... x 3 tensors.</summary>
    public static Tensor Cross(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        Tensor A(int i) => a[TensorIndex.Ellipsis, i];
        Tensor B(int i) => b[TensorIndex.Ellipsis, i];
        return stack(new[] { A(1) * B(2) - A(2) * B(1), A(2) * B(0) - A(0) * B(2), A(0) * B(1) - A(1) * B(0) }, -1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Overwrites the leftmost and rightmost <paramref name="columns"/> columns of a depth map (B x H x W or
    /// B x H x W x 1) with <paramref name="borderDepth"/>: depth·(1 - m) + m·border (rows are not touched).
    /// </summary>
    public static Tensor ClampBorder(Tensor depth, double borderDepth, int columns = 2)
    {
        if (depth.dim() is not (3 or 4) || (depth.dim() == 4 && depth.shape[3] != 1))
            throw new RenderInputException(nameof(depth), $"expected B x H x W or B x H x W x 1, got {RenderCheck.Describe(depth.shape)}");
        RenderCheck.Shape(depth, nameof(depth), depth.shape.Select((_, i) => i == 3 ? 1L : -1L).ToArray());
        long w = depth.shape[2];
        if (w < 2 * columns) throw new RenderInputException(nameof(depth), $"width {w} is smaller than two borders of {columns}");
        using var scope = NewDisposeScope();
        var m = zeros(w, dtype: depth.dtype, device: depth.device);
        m[..columns] = 1;
        m[(int)(w - columns)..] = 1;
        m = depth.dim() == 3 ? m.view(1, 1, w) : m.view(1, 1, w, 1);
        return (depth * (1 - m) + m * borderDepth).MoveToOuterDisposeScope();
    }

    /// <summary>Maps d in [-1, 1] to depth: (1 + d)/2·max + (1 - d)/2·min.</summary>
    public static Tensor Rescale(Tensor d, double minDepth, double maxDepth) =>
        (1 + d) / 2 * maxDepth + (1 - d) / 2 * minDepth;

    /// <summary>Maps depth to [0, 1]: (depth - min) / (max - min).</summary>
    public static Tensor InverseRescale(Tensor depth, double minDepth, double maxDepth) =>
        (depth - minDepth) / (maxDepth - minDepth);

    /// <summary>Global min-max normalisation to [0, 1] (the official mm_normalize).</summary>
    public static Tensor MinMaxNormalize(Tensor x)
    {
        using var scope = NewDisposeScope();
        var min = x.min();
        return ((x - min) / (x.max() - min)).MoveToOuterDisposeScope();
    }
}
