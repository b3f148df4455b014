using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The loss terms of LiftedGAN's training step in their official form (spec section 3.7). Each is a pure function of
/// tensors; weights are applied by the trainer.
/// </summary>
public static class LiftingLosses
{
    /// <summary>
    /// Mean absolute error; with a (B, 1, H, W) mask, Σ|a − b|·m / Σm where the mask is expanded to every channel
    /// (so the denominator counts each channel).
    /// </summary>
    public static Tensor MaskedL1(Tensor a, Tensor b, Tensor? mask = null)
    {
        using var scope = NewDisposeScope();
        var diff = (a - b).abs();
        if (mask is null) return diff.mean().MoveToOuterDisposeScope();
        var m = mask.expand_as(diff);
        return ((diff * m).sum() / m.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Style prior: mean over (B, D) of (w′ − w_mu)², times w_sigma_inv = 0.5 / (mean per-dimension std of w)².
    /// </summary>
    public static Tensor StylePrior(Tensor style, Tensor wMean, double wSigmaInv)
    {
        using var scope = NewDisposeScope();
        return ((style - wMean).pow(2).mean() * wSigmaInv).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// View/light cycle: mean((L̃′ − L′)²) over (B, 4) plus mean((Ṽ′ − V′)²) over the three rotation entries only (the
    /// official code ignores the translations). <paramref name="pitchWeight"/> and <paramref name="rollWeight"/>
    /// multiply the pitch (entry 0) and roll (entry 2) squares (official: 1 each).
    /// </summary>
    public static Tensor ParameterCycle(Tensor lightEstimated, Tensor lightTarget, Tensor viewEstimated, Tensor viewTarget,
        double pitchWeight = 1, double rollWeight = 1)
    {
        using var scope = NewDisposeScope();
        var light = (lightEstimated - lightTarget).pow(2).mean();
        return (light + RotationError(viewEstimated, viewTarget, pitchWeight, rollWeight)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean over (B, 3) of the squared rotation errors (raw view entries 0–2: pitch, yaw, roll), pitch and roll squares
    /// multiplied by their weights.
    /// </summary>
    public static Tensor RotationError(Tensor viewEstimated, Tensor viewTarget, double pitchWeight = 1, double rollWeight = 1)
    {
        using var scope = NewDisposeScope();
        var squares = (viewEstimated[.., ..3] - viewTarget[.., ..3]).pow(2);
        if (pitchWeight != 1 || rollWeight != 1)
            squares = squares * tensor(new[] { (float)pitchWeight, 1f, (float)rollWeight }, dtype: squares.dtype, device: squares.device);
        return squares.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// View equivariance (<see cref="LiftingConfig.ViewEquivarianceWeight"/>): with a = <paramref name="images"/> turned
    /// in the image plane by <paramref name="roll1"/> and b by <paramref name="roll2"/> (radians, B each), the mean over
    /// (B, 6) of the squared raw-view differences E(b) − roll(E(a), roll2 − roll1) and E(mirror a) − mirror(E(a)), halved
    /// (every entry weighs 1: the parameter cycle's pitch and roll weights are not applied). Gradients reach the encoder
    /// through both sides of each difference.
    /// </summary>
    public static Tensor ViewEquivariance(Func<Tensor, Tensor> encoder, Tensor images, Tensor roll1, Tensor roll2)
    {
        using var scope = NewDisposeScope();
        var a = Rendering.ImageRoll.Rotate(images, roll1);
        var b = Rendering.ImageRoll.Rotate(images, roll2);
        var va = encoder(a);
        var rolled = encoder(b) - Rendering.ImageRoll.RolledRawView(va, roll2 - roll1);
        var mirrored = encoder(a.flip(3)) - Perturbation.MirrorView(va);
        return ((rolled.pow(2) + mirrored.pow(2)) / 2).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Identity: mean over the selected samples of Σ (e0 − e1)² (= 2 − 2·cos for unit vectors), selecting samples whose
    /// yaw is strictly inside ±<paramref name="maxYawDegrees"/>. Returns null when no sample qualifies (the official
    /// code would produce NaN there).
    /// </summary>
    public static Tensor? Identity(Tensor embeddingCanonical, Tensor embeddingPerturbed, Tensor yawDegrees, double maxYawDegrees = 25)
    {
        using var scope = NewDisposeScope();
        var selected = yawDegrees.abs().lt(maxYawDegrees);
        if (!selected.any().item<bool>()) return null;
        var idx = selected.nonzero().squeeze(1);
        var d = (embeddingCanonical.index_select(0, idx) - embeddingPerturbed.index_select(0, idx)).pow(2).sum(1);
        return d.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Albedo low-rank term: grey albedo minus its blur, kept where canonical depth ≤ border − 0.01, average-pooled by
    /// <paramref name="downsample"/>, flattened to a (B, N) matrix, and its nuclear norm (sum of singular values).
    /// </summary>
    public static Tensor AlbedoRank(Tensor albedo, Tensor canonicalDepth, GaussianBlur blur, double borderDepth = 1.05, int downsample = 4)
    {
        using var scope = NewDisposeScope();
        var mask = canonicalDepth.le(borderDepth - 0.01).to(albedo.dtype).unsqueeze(1).detach();
        var grey = albedo.mean(new long[] { 1 }, keepdim: true);
        var residual = (grey - blur.forward(grey)) * mask;
        if (downsample > 1) residual = nn.functional.avg_pool2d(residual, downsample, downsample);
        var matrix = residual.flatten(1);
        return linalg.matrix_norm(matrix, "nuc").MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Depth smoothness (this project's addition): mean |Laplacian(depth)| over (B, H, W), with the 4-neighbour
    /// Laplacian of <see cref="Laplacian"/> (reflect padding). Inside the map a depth linear in x and y costs 0; a
    /// one-pixel spike of height h costs h at the pixel and h/4 at each of its 4 neighbours. On the outermost ring the
    /// reflection makes a slope across the edge cost half its per-pixel step.
    /// </summary>
    public static Tensor DepthSmoothness(Tensor canonicalDepth)
    {
        using var scope = NewDisposeScope();
        return Laplacian.Apply(canonicalDepth.unsqueeze(1)).abs().mean().MoveToOuterDisposeScope();
    }
}
