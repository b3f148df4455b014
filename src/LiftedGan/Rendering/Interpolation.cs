using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// The differentiable half of the renderer: from the rasteriser's per-pixel face choice, recompute barycentrics and
/// interpolate vertex attributes with torch ops, so autograd carries gradients to the screen-space vertex positions
/// (through the barycentrics, as PyTorch3D's hard blending does) and to the attributes. The face choice itself is
/// piecewise constant and carries no gradient (no soft silhouette).
/// </summary>
public static class Interpolation
{
    /// <summary>
    /// Barycentrics B x H x W x 3 of each pixel centre in its face, as a differentiable function of
    /// <paramref name="screenVertices"/> (B x V x 3: column, row, view z). Screen-space, or perspective-corrected when
    /// the fragments were rasterised that way. Background pixels get zeros (and no gradient).
    /// </summary>
    public static Tensor Barycentrics(Tensor screenVertices, Tensor faces, RasterFragments fragments)
    {
        RenderCheck.Shape(screenVertices, nameof(screenVertices), fragments.Batch, -1, 3);
        using var scope = NewDisposeScope();
        long b = fragments.Batch, h = fragments.Height, w = fragments.Width;
        var corners = Gather(screenVertices, faces, fragments); // B x HW x 3 x 3
        var covered = fragments.Coverage.reshape(b, h * w);
        var pixels = PinholeCamera.PixelGrid(1, h, w, false, screenVertices.dtype, screenVertices.device).reshape(1, h * w, 2);
        // With p0 the first vertex, d1 = p1 - p0, d2 = p2 - p0 and q = pixel - p0:
        // w1 = (q × d2) / (d1 × d2), w2 = (d1 × q) / (d1 × d2), w0 = 1 - w1 - w2.
        var p0 = corners[.., .., 0, 0..2];
        var d = corners[.., .., 1..3, 0..2] - p0.unsqueeze(2);
        var q = pixels - p0;
        Tensor dx(int i) => d[.., .., i, 0];
        Tensor dy(int i) => d[.., .., i, 1];
        var qx = q[.., .., 0];
        var qy = q[.., .., 1];
        var area = dx(0) * dy(1) - dy(0) * dx(1);
        area = where(covered, area, ones_like(area));
        var w12 = stack(new[] { qx * dy(1) - qy * dx(1), dx(0) * qy - dy(0) * qx }, 2) / area.unsqueeze(2);
        var weights = cat(new[] { 1 - w12.sum(2, keepdim: true), w12 }, 2);
        if (fragments.PerspectiveCorrect)
        {
            var z = corners[.., .., .., 2];
            z = where(covered.unsqueeze(2), z, ones_like(z));
            var p = weights / z;
            weights = p / p.sum(2, keepdim: true);
        }
        weights = where(covered.unsqueeze(2), weights, zeros_like(weights));
        return weights.reshape(b, h, w, 3).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Interpolates vertex attributes B x V x C at every pixel with <paramref name="barycentrics"/> (B x H x W x 3,
    /// from <see cref="Barycentrics"/> for gradients to positions, or <see cref="RasterFragments.Barycentrics"/>),
    /// giving B x H x W x C; uncovered pixels take <paramref name="background"/>.
    /// </summary>
    public static Tensor Interpolate(Tensor attributes, Tensor faces, RasterFragments fragments, Tensor barycentrics, double background = 0)
    {
        RenderCheck.Shape(attributes, nameof(attributes), fragments.Batch, -1, -1);
        RenderCheck.Shape(barycentrics, nameof(barycentrics), fragments.Batch, fragments.Height, fragments.Width, 3);
        using var scope = NewDisposeScope();
        long b = fragments.Batch, h = fragments.Height, w = fragments.Width, c = attributes.shape[2];
        var corners = Gather(attributes, faces, fragments); // B x HW x 3 x C
        var weights = barycentrics.to(attributes.dtype).reshape(b, h * w, 3, 1);
        var value = (corners * weights).sum(2);
        var covered = fragments.Coverage.reshape(b, h * w, 1);
        var fill = full(1, 1, 1, background, dtype: attributes.dtype, device: attributes.device);
        return where(covered, value, fill).reshape(b, h, w, c).MoveToOuterDisposeScope();
    }

    /// <summary>The attributes of the three vertices of each pixel's face: B x HW x 3 x C (face 0 on background).</summary>
    static Tensor Gather(Tensor attributes, Tensor faces, RasterFragments fragments)
    {
        long b = fragments.Batch, hw = fragments.Height * fragments.Width, v = attributes.shape[1], c = attributes.shape[2];
        if (faces.dim() != 2 || faces.shape[1] != 3)
            throw new RenderInputException(nameof(faces), $"expected F x 3, got {RenderCheck.Describe(faces.shape)}");
        var dev = attributes.device;
        var face = fragments.FaceIndex.to(dev).reshape(b * hw).clamp(min: 0);
        var vertex = faces.to(ScalarType.Int64, dev).index_select(0, face).view(b, hw * 3);
        var offset = arange(b, dtype: ScalarType.Int64, device: dev).mul(v).view(b, 1);
        var flat = (vertex + offset).view(-1);
        return attributes.reshape(b * v, c).index_select(0, flat).view(b, hw, 3, c);
    }
}
