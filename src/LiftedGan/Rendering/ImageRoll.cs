using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// A camera roll seen in the image: turning the camera about its optical axis rotates the image about its centre,
/// exactly (the principal point is the centre and the view's rotation centre lies on the axis, see
/// <see cref="ViewTransform"/>). Rendering a view whose roll is larger by δ gives the image rotated by <see cref="Rotate"/>
/// with δ, and the view it shows is <see cref="RolledRawView"/>: roll + δ, the x and y translation turned by δ, pitch
/// and yaw unchanged (R = Rz(rz)·Ry·Rx, roll applied last). Used by the view-equivariance term.
/// </summary>
public static class ImageRoll
{
    /// <summary>
    /// Images B x C x S x S as a camera rolled by <paramref name="radians"/> (B) more would see them: bilinear, border
    /// padding (pixels the rotation brings in from outside repeat the edge; <see cref="Disc"/> hides them).
    /// </summary>
    public static Tensor Rotate(Tensor images, Tensor radians)
    {
        if (images.dim() != 4 || images.shape[2] != images.shape[3])
            throw new ArgumentException($"expected square images B x C x S x S, got [{string.Join(", ", images.shape)}]", nameof(images));
        if (radians.dim() != 1 || radians.shape[0] != images.shape[0])
            throw new ArgumentException($"expected one angle per image ({images.shape[0]}), got [{string.Join(", ", radians.shape)}]", nameof(radians));
        using var scope = NewDisposeScope();
        var a = radians.to(images.dtype);
        var (c, s) = (a.cos(), a.sin());
        var zero = zeros_like(a);
        // The output pixel at p shows the input at Rz(−δ)·p (affine_grid maps output to input coordinates).
        var theta = stack(new[] { c, s, zero, -s, c, zero }, 1).view(-1, 2, 3);
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The raw view (B x 6 network units, <see cref="ViewTransform.ScaleRawView"/>) after a camera roll of
    /// <paramref name="radians"/> (B): raw roll + δ / 60°, (tx, ty) turned by δ, the rest unchanged.
    /// </summary>
    public static Tensor RolledRawView(Tensor rawView, Tensor radians)
    {
        RenderCheck.Shape(rawView, nameof(rawView), -1, 6);
        using var scope = NewDisposeScope();
        var a = radians.to(rawView.dtype);
        var (c, s) = (a.cos(), a.sin());
        var (tx, ty) = (rawView[.., 3], rawView[.., 4]);
        var roll = rawView[.., 2] + a / (Math.PI / 180 * ViewTransform.RotationRangeDegrees);
        return stack(new[] { rawView[.., 0], rawView[.., 1], roll, c * tx - s * ty, s * tx + c * ty, rawView[.., 5] }, 1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A 1 x 1 x S x S mask that is 1 inside the image's inscribed circle and falls to 0 over the last pixel: what a
    /// rotation about the centre keeps inside the image.
    /// </summary>
    public static Tensor Disc(int size, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var p = arange(size, dtype: ScalarType.Float64).mul(2).add(1).div(size).sub(1);
        var radius = (p.view(1, size).pow(2) + p.view(size, 1).pow(2)).sqrt();
        var mask = ((1 - radius) * (size / 2.0)).clamp(0, 1);
        return mask.view(1, 1, size, size).to(dtype, device ?? CPU).MoveToOuterDisposeScope();
    }
}
