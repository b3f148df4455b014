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
        var dt = screenVertices.dtype;
        var dev = screenVertices.device;
        var px = arange(w, dtype: dt, device: dev).view(1, 1, w).expand(1, h, w).reshape(1, h * w);
        var py = arange(h, dtype: dt, device: dev).view(1, h, 1).expand(1, h, w).reshape(1, h * w);
        Tensor X(int i) => corners[.., .., i, 0];
        Tensor Y(int i) => corners[.., .., i, 1];
        Tensor Edge(int i, int j) => (X(i) - px) * (Y(j) - py) - (Y(i) - py) * (X(j) - px);
        var area = (X(0) - X(2)) * (Y(1) - Y(2)) - (Y(0) - Y(2)) * (X(1) - X(2));
        area = where(covered, area, ones_like(area));
        var weights = stack(new[] { Edge(1, 2), Edge(2, 0), Edge(0, 1) }, 2) / area.unsqueeze(2);
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
