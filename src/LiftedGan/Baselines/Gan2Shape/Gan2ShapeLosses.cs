using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// GAN2Shape's loss terms (§1.7): the masked L1 Σ(m·|Δ|)/Σm over all channels, the perceptual distance of the masked
/// images (LPIPS officially; here <see cref="Perceptual"/>), the second-order smoothness of a map, and the reconstruction
/// of a target by a decomposition's render (plain, and mirrored when asked, under the product of the renders' masks).
/// </summary>
public static class Gan2ShapeLosses
{
    const double Eps = 1e-7;

    /// <summary>
    /// The perceptual network standing in for LPIPS-VGG: VGG16 features at one scale, unit-normalised per position
    /// and compared by cosine distance (LPIPS without its learned per-channel weights).
    /// </summary>
    public static PerceptualLoss Perceptual(Vgg16Features vgg) => new(vgg, PerceptualDistance.Cosine, scales: 1);

    /// <summary>Σ(mask·|a − b|)/Σ mask, the mask B×1×S×S broadcast over channels (0 for an empty mask).</summary>
    public static Tensor MaskedL1(Tensor a, Tensor b, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.expand_as(a);
        return ((a - b).abs() * m).sum().div(m.sum().clamp_min(Eps)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// mean|∂xx| + mean|∂xy| + mean|∂yx| + mean|∂yy| of maps B×…×H×W (second-order forward differences over the last two axes).
    /// </summary>
    public static Tensor Smoothness(Tensor map)
    {
        if (map.dim() < 2) throw new Gan2ShapeException("map", $"needs at least 2 dimensions, got {map.dim()}");
        using var scope = NewDisposeScope();
        long h = map.shape[^2], w = map.shape[^1];
        if (h < 3 || w < 3) throw new Gan2ShapeException("map", $"{h} x {w}: smoothness needs at least 3 x 3");
        Tensor Dx(Tensor x) => x.narrow(-1, 1, x.shape[^1] - 1) - x.narrow(-1, 0, x.shape[^1] - 1);
        Tensor Dy(Tensor x) => x.narrow(-2, 1, x.shape[^2] - 1) - x.narrow(-2, 0, x.shape[^2] - 1);
        var dx = Dx(map);
        var dy = Dy(map);
        return (Dx(dx).abs().mean() + Dy(dx).abs().mean() + Dx(dy).abs().mean() + Dy(dy).abs().mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Smoothness of the canonical depth and of the diffuse shading max(0, n·d) under the decomposition's light.</summary>
    public static Tensor ShapeSmoothness(Unsup3dModel model, Unsup3dDecomposition d)
    {
        using var scope = NewDisposeScope();
        using var light = Lighting.Parse(d.Light);
        var diffuse = Lighting.DiffuseShading(model.Renderer.Normals(d.Depth), light.Direction);
        return (Smoothness(d.Depth) + Smoothness(diffuse)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L1 + λ_perc·perceptual between the render of <paramref name="d"/> and <paramref name="target"/>, plus the same for
    /// the mirrored render when <paramref name="flip"/>; masked by the renders' coverage (their product with a flip)
    /// times <paramref name="extraMask"/> (e.g. the pseudo samples' masks).
    /// </summary>
    public static Tensor Reconstruction(Unsup3dModel model, Unsup3dDecomposition d, Tensor target, PerceptualLoss? perceptual,
        double perceptualWeight, bool flip, Tensor? extraMask = null)
    {
        if (perceptual is null && perceptualWeight > 0)
            throw new Gan2ShapeException("perceptual network", "a perceptual weight above 0 needs the perceptual network");
        using var scope = NewDisposeScope();
        using var main = model.Render(d);
        using var mirrored = flip ? model.Render(d, flipped: true) : null;
        var mask = main.Render.Mask;
        if (mirrored is not null) mask = mask * mirrored.Render.Mask;
        if (extraMask is not null) mask = mask * extraMask;
        mask = mask.detach();
        Tensor Term(Tensor image)
        {
            var loss = MaskedL1(image, target, mask);
            if (perceptualWeight > 0) loss = loss + perceptualWeight * perceptual!.Compute(image * mask, (target * mask).detach());
            return loss;
        }
        var total = Term(main.Render.Image);
        if (mirrored is not null) total = total + Term(mirrored.Render.Image);
        return total.MoveToOuterDisposeScope();
    }
}
