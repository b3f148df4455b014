using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Light direction re-estimated from an image: a first-order spherical-harmonic (ambient + linear) least-squares fit of
/// the image's luminance to its normals, y ≈ c₀ + c·n over the valid pixels (the Lambertian model of
/// <see cref="Lighting"/> without the max(0, ·) clamp and with the albedo taken as constant), direction c / |c|.
/// LiftedGAN shades the canonical face, so its light turns with the head: the view-space direction is turned back
/// into the face's frame by the inverse head rotation (d_face = Rᵀ d_view, R = <see cref="ViewTransform.RotationMatrix"/>).
/// </summary>
public static class LightFit
{
    /// <summary>
    /// Unit light directions B × 3 in the face frame from images B × 3 × S × S in [-1, 1], view-space normals
    /// B × S × S × 3 (<see cref="DepthMapRenderer.Normals"/>), a valid mask B × S × S and head angles B × 3 in degrees
    /// (pitch, yaw, roll, the renderer's order).
    /// </summary>
    public static Tensor FaceFrameDirection(Tensor images, Tensor normals, Tensor mask, Tensor anglesDegrees)
    {
        using var scope = NewDisposeScope();
        var view = ViewDirection(images, normals, mask);
        var a = anglesDegrees.to(ScalarType.Float64) * (Math.PI / 180);
        var rotation = ViewTransform.RotationMatrix(a[.., 0], a[.., 1], a[.., 2]);
        return rotation.transpose(1, 2).matmul(view.unsqueeze(2)).squeeze(2).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Unit light directions B × 3 in the view frame (see the class summary).</summary>
    public static Tensor ViewDirection(Tensor images, Tensor normals, Tensor mask)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || normals.dim() != 4 || normals.shape[3] != 3 || mask.dim() != 3
            || images.shape[0] != normals.shape[0] || images.shape[2] != normals.shape[1] || !mask.shape.SequenceEqual(normals.shape[..3]))
            throw new EvaluationException("light fit", $"need images B x 3 x S x S, normals B x S x S x 3 and mask B x S x S, got [{string.Join(", ", images.shape)}], [{string.Join(", ", normals.shape)}], [{string.Join(", ", mask.shape)}]");
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        var y = (images.to(ScalarType.Float64) / 2 + 0.5).mean(new long[] { 1 }).reshape(b, -1, 1);
        var n = normals.to(ScalarType.Float64).reshape(b, -1, 3);
        var w = mask.to(ScalarType.Float64).reshape(b, -1, 1);
        var design = cat(new[] { ones_like(y), n }, 2);
        var lhs = design.transpose(1, 2).matmul(design * w) + eye(4, dtype: ScalarType.Float64) * 1e-9;
        var rhs = design.transpose(1, 2).matmul(y * w);
        var c = linalg.solve(lhs, rhs).squeeze(2)[.., 1..];
        return (c / c.norm(1, true).clamp_min(1e-12)).MoveToOuterDisposeScope();
    }
}
