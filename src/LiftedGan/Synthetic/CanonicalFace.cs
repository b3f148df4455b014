using TorchSharp;

namespace LiftedGan.Synthetic;

/// <summary>
/// A batch of faces in the canonical (frontal) frame on the renderer's S x S grid, in the LiftedGAN conventions:
/// <see cref="Depth"/> B x S x S in [0.9, 1.1] (background plane at <see cref="FaceModel.BackgroundDepth"/>);
/// <see cref="Albedo"/> B x 3 x S x S in [-1, 1]; <see cref="Foreground"/> B x S x S in [0, 1] (head, hair, neck);
/// <see cref="TransformMap"/> B x 1 x S x S, LiftedGAN's T: 1 where the vertex moves with the head, 0 where it stays
/// (background, image border, fading down the neck).
/// </summary>
public sealed class CanonicalFace(torch.Tensor depth, torch.Tensor albedo, torch.Tensor foreground, torch.Tensor transformMap) : IDisposable
{
    public torch.Tensor Depth { get; } = depth;
    public torch.Tensor Albedo { get; } = albedo;
    public torch.Tensor Foreground { get; } = foreground;
    public torch.Tensor TransformMap { get; } = transformMap;

    public void Dispose()
    {
        Depth.Dispose();
        Albedo.Dispose();
        Foreground.Dispose();
        TransformMap.Dispose();
    }
}
