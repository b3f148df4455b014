using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// What a finished fit says about its image (batch 1, owns its tensors): the input image, canonical depth 1×S×S and
/// normals 1×S×S×3, the reconstruction 1×3×S×S, the depth rendered in the predicted view 1×S×S (background at the
/// renderer's background depth) with its coverage 1×S×S, pitch, yaw, roll in degrees 1×3, the shaded canonical image
/// 1×3×S×S and the raw view 1×6 (what renders the reconstruction from another view).
/// </summary>
public sealed record Gan2ShapeOutputs(Tensor Image, Tensor CanonicalDepth, Tensor Normals, Tensor Reconstruction, Tensor ViewDepth, Tensor ViewMask,
    Tensor Angles, Tensor CanonicalImage, Tensor RawView) : IDisposable
{
    /// <summary>The outputs of <paramref name="instance"/>'s current networks (no gradients).</summary>
    public static Gan2ShapeOutputs Of(Gan2ShapeInstance instance)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = instance.Model;
        using var d = instance.CurrentDecomposition();
        using var render = model.Render(d);
        var (depth, mask) = model.DepthInView(d);
        return new Gan2ShapeOutputs(instance.Image.clone(), d.Depth.alias(), render.CanonNormal.alias(), render.Render.Image.clamp(-1, 1),
            depth, mask, d.AnglesDegrees(), render.CanonImage.alias(), d.View.alias()).MoveToOuter();
    }

    internal Gan2ShapeOutputs MoveToOuter()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    IEnumerable<Tensor> All => [Image, CanonicalDepth, Normals, Reconstruction, ViewDepth, ViewMask, Angles, CanonicalImage, RawView];

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
