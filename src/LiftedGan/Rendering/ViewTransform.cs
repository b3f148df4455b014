using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// A rigid view change per batch sample: rotation R = Rz(rz)·Ry(ry)·Rx(rx) (Rx first, right-handed, column vectors)
/// about the centre C = (0, 0, c), then translation t: p' = R·(p - C) + C + t. Positive yaw moves points in front of
/// the centre towards image left; positive pitch moves them down. Built from a view vector of 6 (rx, ry, rz, tx, ty,
/// tz), 5 (tz = 0) or 3 (no translation) entries in radians and world units. Owns its tensors.
/// </summary>
public sealed class ViewTransform : IDisposable
{
    /// <summary>Degrees per raw unit of the rotation entries (xyz_rotation_range).</summary>
    public const double RotationRangeDegrees = 60;

    /// <summary>World units per raw unit of tx and ty (xy_translation_range).</summary>
    public const double XyTranslationRange = 0.1;

    /// <summary>World units per raw unit of tz (z_translation_range).</summary>
    public const double ZTranslationRange = 0.01;

    ViewTransform(Tensor rotation, Tensor translation, double centerDepth)
    {
        Rotation = rotation;
        Translation = translation;
        CenterDepth = centerDepth;
    }

    /// <summary>Rotation matrices B x 3 x 3.</summary>
    public Tensor Rotation { get; }

    /// <summary>Translations B x 1 x 3.</summary>
    public Tensor Translation { get; }

    /// <summary>Depth c of the rotation centre (0, 0, c).</summary>
    public double CenterDepth { get; }

    /// <summary>Builds the transform from a B x 6, B x 5 or B x 3 view in radians and world units.</summary>
    public static ViewTransform FromView(Tensor view, double centerDepth)
    {
        if (view.dim() != 2 || view.shape[1] is not (3 or 5 or 6))
            throw new RenderInputException(nameof(view), $"expected B x 6, B x 5 or B x 3, got {RenderCheck.Describe(view.shape)}");
        RenderCheck.Shape(view, nameof(view), -1, view.shape[1]);
        RenderCheck.Finite(view, nameof(view));
        using var scope = NewDisposeScope();
        long b = view.shape[0];
        var rot = RotationMatrix(view[.., 0], view[.., 1], view[.., 2]);
        var trans = view.shape[1] switch
        {
            6 => view[.., 3..6].reshape(b, 1, 3),
            5 => cat(new[] { view[.., 3..5], zeros(b, 1, dtype: view.dtype, device: view.device) }, 1).reshape(b, 1, 3),
            _ => zeros(b, 1, 3, dtype: view.dtype, device: view.device),
        };
        return new ViewTransform(rot.MoveToOuterDisposeScope(), trans.MoveToOuterDisposeScope(), centerDepth);
    }

    /// <summary>Rz(rz)·Ry(ry)·Rx(rx) for B angles each (radians), B x 3 x 3.</summary>
    public static Tensor RotationMatrix(Tensor rx, Tensor ry, Tensor rz)
    {
        using var scope = NewDisposeScope();
        var o = zeros_like(rx);
        var l = ones_like(rx);
        Tensor M(Tensor[] e) => stack(e, 1).view(-1, 3, 3);
        var mx = M(new[] { l, o, o, o, rx.cos(), -rx.sin(), o, rx.sin(), rx.cos() });
        var my = M(new[] { ry.cos(), o, ry.sin(), o, l, o, -ry.sin(), o, ry.cos() });
        var mz = M(new[] { rz.cos(), -rz.sin(), o, rz.sin(), rz.cos(), o, o, o, l });
        return mz.matmul(my).matmul(mx).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Converts the network-range view (tanh outputs in (-1, 1), B x 6) to radians and world units: rotations ·60°,
    /// tx and ty ·0.1, tz ·0.01 (LiftedGAN.render).
    /// </summary>
    public static Tensor ScaleRawView(Tensor rawView)
    {
        RenderCheck.Shape(rawView, nameof(rawView), -1, 6);
        using var scope = NewDisposeScope();
        return cat(new[]
        {
            rawView[.., 0..3] * (Math.PI / 180 * RotationRangeDegrees),
            rawView[.., 3..5] * XyTranslationRange,
            rawView[.., 5..6] * ZTranslationRange,
        }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Warps points B x ... x 3: p' = R·(p - C) + C + t.</summary>
    public Tensor Warp(Tensor points)
    {
        CheckPoints(points);
        using var scope = NewDisposeScope();
        var flat = points.reshape(points.shape[0], -1, 3);
        var c = Centre(points);
        var warped = (flat - c).matmul(Rotation.transpose(1, 2)) + c + Translation;
        return warped.reshape(points.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Inverse warp of points B x ... x 3: translate by -t, then rotate about C by Rᵀ.</summary>
    public Tensor InverseWarp(Tensor points)
    {
        CheckPoints(points);
        using var scope = NewDisposeScope();
        var flat = points.reshape(points.shape[0], -1, 3);
        var c = Centre(points);
        var back = (flat - Translation - c).matmul(Rotation) + c;
        return back.reshape(points.shape).MoveToOuterDisposeScope();
    }

    Tensor Centre(Tensor points) =>
        tensor(new[] { 0, 0, CenterDepth }, dtype: ScalarType.Float64).to(points.dtype, points.device).view(1, 1, 3);

    void CheckPoints(Tensor points)
    {
        if (points.dim() < 2 || points.shape[^1] != 3)
            throw new RenderInputException(nameof(points), $"expected B x ... x 3, got {RenderCheck.Describe(points.shape)}");
        if (points.shape[0] != Rotation.shape[0])
            throw new RenderInputException(nameof(points), $"batch size {points.shape[0]} does not match the view's {Rotation.shape[0]}");
    }

    /// <summary>Releases the rotation and translation tensors.</summary>
    public void Dispose()
    {
        Rotation.Dispose();
        Translation.Dispose();
    }
}
