using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The 3D decomposition of a batch of styles (official `estimate`): canonical depth B×S×S, de-lit albedo B×3×S×S,
/// raw light B×4 and raw view B×6 (tanh range), the neutral style, the transformation map B×1×S×S and the teacher's
/// canonical image before de-lighting. Owns its tensors.
/// </summary>
public sealed class LiftedEstimate : IDisposable
{
    public LiftedEstimate(Tensor depth, Tensor albedo, Tensor light, Tensor view, Tensor neutralStyle, Tensor transformationMap, Tensor canonicalImage)
    {
        Depth = depth; Albedo = albedo; Light = light; View = view;
        NeutralStyle = neutralStyle; TransformationMap = transformationMap; CanonicalImage = canonicalImage;
    }

    public Tensor Depth { get; }
    public Tensor Albedo { get; }
    public Tensor Light { get; }
    public Tensor View { get; }
    public Tensor NeutralStyle { get; }
    public Tensor TransformationMap { get; }
    public Tensor CanonicalImage { get; }

    internal LiftedEstimate MoveToOuter()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    IEnumerable<Tensor> All => new[] { Depth, Albedo, Light, View, NeutralStyle, TransformationMap, CanonicalImage };

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
