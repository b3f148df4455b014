using TorchSharp;

namespace LiftedGan.Synthetic;

/// <summary>
/// A rendered batch of the face world with its exact ground truth (B images of size S; owns its tensors):
/// <list type="bullet">
/// <item><see cref="Images"/> B x 3 x S x S in [-1, 1]: the rendered, shaded images.</item>
/// <item><see cref="CanonicalDepth"/> B x S x S, <see cref="Albedo"/> B x 3 x S x S in [-1, 1], <see cref="Mask"/>
/// B x S x S (foreground: head, hair, neck) and <see cref="TransformMap"/> B x 1 x S x S: the frontal face.</item>
/// <item><see cref="RenderedDepth"/> B x S x S (view-space depth of the image, 1.2 where nothing is hit),
/// <see cref="RenderedMask"/> B x S x S (foreground as seen in the image), <see cref="Normals"/> B x S x S x 3
/// (renderer normals of the rendered depth, pointing into the scene).</item>
/// <item><see cref="View"/> B x 6 (radians, world units), <see cref="RawView"/> B x 6 (LiftedGAN's tanh range),
/// <see cref="Light"/> B x 4 (raw light), <see cref="Parameters"/> B x P, <see cref="Identities"/> and
/// <see cref="Indices"/>.</item>
/// </list>
/// </summary>
public sealed class FaceBatch : IDisposable
{
    public required torch.Tensor Images { get; init; }
    public required torch.Tensor CanonicalDepth { get; init; }
    public required torch.Tensor Albedo { get; init; }
    public required torch.Tensor Mask { get; init; }
    public required torch.Tensor TransformMap { get; init; }
    public required torch.Tensor RenderedDepth { get; init; }
    public required torch.Tensor RenderedMask { get; init; }
    public required torch.Tensor Normals { get; init; }
    public required torch.Tensor View { get; init; }
    public required torch.Tensor RawView { get; init; }
    public required torch.Tensor Light { get; init; }
    public required torch.Tensor Parameters { get; init; }
    public required long[] Identities { get; init; }
    public required long[] Indices { get; init; }

    /// <summary>Number of images.</summary>
    public int Count => Indices.Length;

    public void Dispose()
    {
        foreach (var t in new[] { Images, CanonicalDepth, Albedo, Mask, TransformMap, RenderedDepth, RenderedMask, Normals, View, RawView, Light, Parameters })
            t.Dispose();
    }
}
