using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Identity on a depth map (B, H, W) in the forward pass; in the backward pass a pixel keeps its gradient only when it
/// and its four neighbours (reflected at the border) all have a non-zero gradient, which zeroes the gradient on
/// silhouette and occlusion contours (official ContourGradientClip).
/// </summary>
public sealed class ContourGradientClip : autograd.SingleTensorFunction<ContourGradientClip>
{
    public override string Name => nameof(ContourGradientClip);

    /// <summary>Applies the clip to a depth map (B, H, W).</summary>
    public static Tensor Apply(Tensor depth) => apply(depth);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).alias();

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        // An exception escaping a custom backward aborts the process: keep this path free of throwing calls.
        using var scope = NewDisposeScope();
        var kept = grad * Mask(grad);
        return new List<Tensor> { kept.MoveToOuterDisposeScope() };
    }

    /// <summary>1 where the gradient is non-zero on the pixel and its 4-neighbourhood, else 0 (B, H, W).</summary>
    public static Tensor Mask(Tensor grad)
    {
        using var scope = NewDisposeScope();
        var nonzero = (grad.abs() > 0).to(grad.dtype).unsqueeze(1);
        var lap = Laplacian.Apply(nonzero);
        return (lap.abs() < 1e-5).to(grad.dtype).squeeze(1).MoveToOuterDisposeScope();
    }
}
