using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>An object's bounding box in pixel coordinates (rows top..bottom, columns left..right, inclusive).</summary>
public sealed record PixelBox(double Top, double Bottom, double Left, double Right)
{
    public double Width => Right - Left;
    public double Height => Bottom - Top;
    public double CenterRow => (Top + Bottom) / 2;
    public double CenterColumn => (Left + Right) / 2;

    /// <summary>
    /// The bounding box of {mask ≥ <paramref name="threshold"/>} of a mask S×S (official threshold 0.7).
    /// </summary>
    /// <exception cref="Gan2ShapeException">The mask is not 2-D or has no pixel at the threshold.</exception>
    public static PixelBox FromMask(Tensor mask, double threshold = 0.7)
    {
        if (mask.dim() != 2) throw new Gan2ShapeException("mask", $"expected S x S, got [{string.Join(", ", mask.shape)}]");
        using var scope = NewDisposeScope();
        var on = mask.ge(threshold);
        var rows = on.any(1).nonzero();
        var cols = on.any(0).nonzero();
        if (rows.shape[0] == 0) throw new Gan2ShapeException("mask", $"no pixel reaches {threshold}: no object to put the ellipsoid on");
        return new PixelBox(rows.min().item<long>(), rows.max().item<long>(), cols.min().item<long>(), cols.max().item<long>());
    }

    /// <summary>The whole S×S image as the object (our stand-in for the face parser, which we do not have).</summary>
    public static PixelBox WholeImage(int size) => new(0, size - 1, 0, size - 1);

    /// <summary>The official face (CelebA) adjustment: the bottom extended to the last row, the width shrunk by 1/12 on each side.</summary>
    public PixelBox FaceAdjusted(int size) => this with { Bottom = size - 1, Left = Left + Width / 12, Right = Right - Width / 12 };
}

/// <summary>
/// GAN2Shape's ellipsoid shape prior (§1.4): a spherical cap of radius R stretched to the object's elliptical footprint,
/// near at the box centre and far at its rim and outside. r = half the box width, ratio = box height / width; the row
/// coordinate is rescaled about the image centre as (row − S/2)/ratio + S/2, dist = distance to the box centre; inside
/// dist ≤ r: t = dist/r·√(R² − (R − (far − near))²), depth = R − √|R² − t²| + near.
/// </summary>
public static class EllipsoidPrior
{
    /// <summary>The prior depth map S×S for <paramref name="box"/>.</summary>
    /// <exception cref="Gan2ShapeException">A size below 2, an empty box, or a near/far/radius that make no cap.</exception>
    public static Tensor DepthMap(int size, PixelBox box, double near, double far, double radius)
    {
        if (size < 2) throw new Gan2ShapeException("image size", $"{size}: must be at least 2");
        if (!(box.Width > 0 && box.Height > 0)) throw new Gan2ShapeException("box", $"{box}: needs a positive width and height");
        if (!(near > 0 && far > near && radius > far - near))
            throw new Gan2ShapeException("prior", $"near {near}, far {far}, radius {radius}: need 0 < near < far and radius > far − near");
        using var scope = NewDisposeScope();
        double r = box.Width / 2, ratio = box.Height / box.Width;
        var rows = arange(size, dtype: ScalarType.Float64).view(size, 1).expand(size, size);
        var cols = arange(size, dtype: ScalarType.Float64).view(1, size).expand(size, size);
        var rescaledRows = (rows - size / 2.0) / ratio + size / 2.0;
        var dist = ((cols - box.CenterColumn).square() + (rescaledRows - box.CenterRow).square()).sqrt();
        double rim = Math.Sqrt(radius * radius - Math.Pow(radius - (far - near), 2));
        var t = dist / r * rim;
        var cap = radius - (radius * radius - t.square()).abs().sqrt() + near;
        return where(dist.le(r), cap, far).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
