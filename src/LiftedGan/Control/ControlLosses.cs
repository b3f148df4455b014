using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// The losses of DiscoFaceGAN (§4.2 imitative, §4.3 contrastive) and Tax-free (§4.7 consistency) on the procedural
/// face model. Each returns a scalar tensor (0 when its network is missing). Substitutions, all because the Basel Face
/// Model, R-Net, the face parser and the face-recognition network are not used (§4.8):
/// <list type="bullet">
/// <item>landmark loss → squared angle error against the render's exact pose, in (10°)² units;</item>
/// <item>SH loss → L1 between the light direction fitted to x and the render's exact light direction;</item>
/// <item>identity: our world-trained embedding; colour: mean colour inside the render's exact foreground;</item>
/// <item>pixel loss on the face region at every size (the paper's ≤ 32 px loss);</item>
/// <item>landmark loss, its expression part → the change between two images whose codes differ only in expression
/// must be the change between their exact renders (<see cref="ExpressionDifference"/>);</item>
/// <item>expression contrast: no flow field is needed, because the two renders are exact: x and x′ are compared
/// (blurred, per-pixel L2 over channels) where the two renders are equal, i.e. where expression does not act;</item>
/// <item>illumination contrast: the estimator's foreground probability replaces the hair segmentation, its angles the
/// landmarks (ω·‖·‖² with the angles in units of 10°, ω = 10);</item>
/// <item>Tax-free consistency ‖rep(FR(x̃)) − rep(p)‖²: FR is our estimator, rep compared through what it reconstructs
/// (normals on the render's foreground, angles, light direction); x̃ = αx + (1 − α)·render (progressive blending).</item>
/// </list>
/// </summary>
public static class ControlLosses
{
    static readonly GaussianBlur Blur = new(5, 2);

    /// <summary>
    /// DiscoFaceGAN's imitative terms of images x against the renders of their codes (unweighted), by name; the pixel
    /// term compares the render's foreground (the paper) or the whole image (<paramref name="pixelRegion"/>). The pose
    /// and light terms compare the estimator's reading of x with the code's exact angles and light (the paper's
    /// coefficients) or, with <see cref="ConsistencyTarget.Render"/>, with its reading of the render itself (no
    /// gradient), so that the render scores 0 and misreading the estimator gains nothing.
    /// </summary>
    public static Dictionary<string, Tensor> Imitative(Tensor x, FaceBatch render, FaceAnalysis analysis, PixelRegion pixelRegion = PixelRegion.Face,
        ConsistencyTarget target = ConsistencyTarget.Code)
    {
        using var reading = analysis.Read(x);
        var (angles, light) = FaceAnalysis.Truth(render);
        if (target == ConsistencyTarget.Render)
        {
            using var _ = no_grad();
            using var renderReading = analysis.Read(render.Images);
            (angles, light) = (renderReading.Angles.detach(), renderReading.Light.detach());
        }
        var mask = render.RenderedMask.unsqueeze(1);
        var area = mask.sum(new long[] { 2, 3 }).clamp_min(1);
        var terms = new Dictionary<string, Tensor>
        {
            ["pose"] = ((reading.Angles - angles) / 10).square().mean(),
            ["light"] = (reading.Light - light).abs().sum(1).mean(),
            ["colour"] = ((x * mask).sum(new long[] { 2, 3 }) / area - (render.Images * mask).sum(new long[] { 2, 3 }) / area).abs().sum(1).mean(),
            ["pixel"] = Pixel(x, render, pixelRegion),
        };
        if (reading.Identity is not null)
        {
            var renderIdentity = analysis.Embedding!.Embed(render.Images).detach();
            terms["identity"] = nn.functional.relu(1 - nn.functional.cosine_similarity(reading.Identity, renderIdentity, 1) - 0.3).mean();
        }
        return terms;
    }

    /// <summary>Mean L1 between x and the render of its codes over the render's foreground or the whole image.</summary>
    public static Tensor Pixel(Tensor x, FaceBatch render, PixelRegion region)
    {
        if (region == PixelRegion.Image) return (x - render.Images).abs().mean();
        var mask = render.RenderedMask.unsqueeze(1);
        return ((x - render.Images).abs() * mask).sum() / (mask.sum().clamp_min(1) * 3);
    }

    /// <summary>
    /// Where two renders differ: B × 1 × S × S, 1 where some channel differs by more than 0.02, grown by one pixel.
    /// </summary>
    public static Tensor ChangedRegion(Tensor render, Tensor renderPrime)
    {
        using var scope = NewDisposeScope();
        var differs = (render - renderPrime).abs().amax(new long[] { 1 }, keepdim: true).gt(0.02).to(render.dtype);
        return nn.functional.max_pool2d(differs, 3, 1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The expression term: x and x′ are images of codes that differ only in expression, r and r′ the face model's
    /// renders of them; the change the code asks for must be the change drawn, Σ((x − x′) − (r − r′))² over the whole
    /// image divided by 3 × the area where r and r′ differ (<see cref="ChangedRegion"/>; the mouth, brows and the shading
    /// around them). A generator that ignores its expression code scores the renders' own mean squared change there;
    /// elsewhere the term asks x and x′ to agree. Squared, not absolute: under an L1 a generator whose expression code
    /// also moves pixels outside the region gains most by dropping the code (measured: its input weights fell 30-fold in
    /// 1,000 steps), while the square charges small stray changes only to second order. Exact (from the face model),
    /// so no estimator is involved.
    /// </summary>
    public static Tensor ExpressionDifference(Tensor x, Tensor xPrime, FaceBatch render, FaceBatch renderPrime)
    {
        using var region = ChangedRegion(render.Images, renderPrime.Images);
        return ((x - xPrime) - (render.Images - renderPrime.Images)).square().sum() / (region.sum().clamp_min(1) * 3);
    }

    /// <summary>The balanced expression term's floor on a pair's mean squared render change (a tenth of a 64 px smile pair's mean, 1.1 × 10⁻⁴).</summary>
    public const double EnergyFloor = 1e-5;

    /// <summary>
    /// The balanced expression term: sample i of x′ is sample i of x with expression parameter i mod
    /// <paramref name="parameters"/> redrawn (<see cref="ControlCode.ResampleExpressionInTurn"/>), r and r′ their renders.
    /// Per parameter k, Σ((x − x′) − (r − r′))² over its samples and the whole image, divided by Σ(r − r′)² over the same
    /// (floored at <see cref="EnergyFloor"/> per sample, so pairs whose renders barely differ do not blow it up), at
    /// <paramref name="scales"/> scales (the changes average-pooled by 1, 2, 4, ...: a displaced lip line is a thin
    /// change a blurred generator cannot match at full resolution, while its coarse trace, the mouth's colour moving up at
    /// the corners, it can); the mean over the parameters and scales.
    /// A generator that ignores its expression code scores 1 for every parameter whatever the size of its pixel change,
    /// where <see cref="ExpressionDifference"/> weighs each parameter by that size (the smile's change is a fifth of the
    /// mouth opening's). Exact (from the face model).
    /// </summary>
    public static Tensor ExpressionBalanced(Tensor x, Tensor xPrime, FaceBatch render, FaceBatch renderPrime, int parameters = 3, int scales = 3)
    {
        using var scope = NewDisposeScope();
        var drawn = x - xPrime;
        var change = render.Images - renderPrime.Images;
        long b = x.shape[0];
        Tensor total = zeros(1, dtype: x.dtype).squeeze();
        int terms = 0;
        for (int scale = 0; scale < scales; scale++)
        {
            if (scale > 0)
            {
                drawn = nn.functional.avg_pool2d(drawn, 2);
                change = nn.functional.avg_pool2d(change, 2);
            }
            var residual = (drawn - change).square().mean(new long[] { 1, 2, 3 });
            var energy = change.square().mean(new long[] { 1, 2, 3 });
            for (int k = 0; k < parameters && k < b; k++)
            {
                using var idx = arange(k, b, parameters, dtype: ScalarType.Int64);
                var n = idx.shape[0];
                total = total + residual.index_select(0, idx).sum() / energy.index_select(0, idx).sum().clamp_min(EnergyFloor * n);
                terms++;
            }
        }
        return (total / terms).MoveToOuterDisposeScope();
    }

    /// <summary>l_C^ex: x and x′ differ only in expression; compared where their two renders are equal.</summary>
    public static Tensor ExpressionContrast(Tensor x, Tensor xPrime, FaceBatch render, FaceBatch renderPrime)
    {
        var same = (render.Images - renderPrime.Images).abs().amax(new long[] { 1 }, keepdim: true).lt(1e-3).to(x.dtype);
        var d = (Blur.forward(x) - Blur.forward(xPrime)).square().sum(1, keepdim: true).add(1e-8).sqrt();
        return (d * same).sum() / same.sum().clamp_min(1);
    }

    /// <summary>l_C^il1 and l_C^il2: x and x′ differ only in light; foreground, pose and identity must stay.</summary>
    public static (Tensor MaskAndPose, Tensor Identity) LightContrast(Tensor x, Tensor xPrime, FaceAnalysis analysis)
    {
        using var a = analysis.Read(x);
        using var b = analysis.Read(xPrime);
        var maskAndPose = (a.MaskProbability - b.MaskProbability).square().mean() + 10 * ((a.Angles - b.Angles) / 10).square().mean();
        var identity = a.Identity is null ? zeros(1).squeeze() : (1 - nn.functional.cosine_similarity(a.Identity, b.Identity!, 1)).mean();
        return (maskAndPose, identity);
    }

    /// <summary>
    /// Tax-free's consistency of x with its condition; <paramref name="alpha"/> blends x with the render before FR reads it.
    /// The reading (normals on the render's foreground, angles, light) is compared with the code's own values or, with
    /// <see cref="ConsistencyTarget.Render"/>, with FR's reading of the render itself (no gradient).
    /// </summary>
    public static Tensor Consistency(Tensor x, FaceBatch render, FaceAnalysis analysis, double alpha, ConsistencyTarget target = ConsistencyTarget.Code)
    {
        var blended = alpha >= 1 ? x : x * alpha + render.Images * (1 - alpha);
        using var reading = analysis.Read(blended);
        var size = analysis.Estimator.InputSize;
        var mask = render.RenderedMask;
        if (mask.shape[1] != size)
            mask = nn.functional.interpolate(mask.unsqueeze(1), new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        Tensor angles, light, normals;
        if (target == ConsistencyTarget.Render)
        {
            using var _ = no_grad();
            using var renderReading = analysis.Read(render.Images);
            (angles, light, normals) = (renderReading.Angles.detach(), renderReading.Light.detach(), renderReading.Normals.detach());
        }
        else
        {
            (angles, light) = FaceAnalysis.Truth(render);
            normals = render.Normals;
            if (normals.shape[1] != size)
                normals = nn.functional.interpolate(normals.permute(0, 3, 1, 2), new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false).permute(0, 2, 3, 1);
        }
        var normalTerm = ((reading.Normals - normals).square().sum(3) * mask).sum() / mask.sum().clamp_min(1);
        return normalTerm + ((reading.Angles - angles) / 10).square().mean() + (reading.Light - light).square().sum(1).mean();
    }
}
