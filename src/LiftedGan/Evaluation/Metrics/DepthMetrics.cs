using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Per-image 3D accuracy metrics: SIDE and MAD as Unsup3d/GAN2Shape compute them, and LiftedGAN's Table-2 depth error
/// (z-scored depth maps, RMS difference on the overlap). Inputs are batches: depth (B, H, W), normals (B, H, W, 3),
/// masks (B, H, W) with 1 = valid.
/// </summary>
public static class DepthMetrics
{
    /// <summary>Erodes a binary mask by one pixel (3×3 average > 0.99, as the reference code does).</summary>
    public static Tensor Erode(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float32).unsqueeze(1);
        var avg = nn.functional.avg_pool2d(m, 3, 1, 1, count_include_pad: true);
        return (avg > 0.99).to(ScalarType.Float32).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Scale-invariant depth error per image: sqrt(mean_M δ² − (mean_M δ)²), δ = log d_pred − log d_gt.</summary>
    public static Tensor Side(Tensor predicted, Tensor truth, Tensor mask)
    {
        CheckShapes(predicted, truth, mask);
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var delta = (predicted.to(ScalarType.Float64).log() - truth.to(ScalarType.Float64).log()) * m;
        var count = m.sum(new long[] { 1, 2 }).clamp_min(1);
        var mean = delta.sum(new long[] { 1, 2 }) / count;
        var meanSq = delta.pow(2).sum(new long[] { 1, 2 }) / count;
        return (meanSq - mean.pow(2)).clamp_min(0).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Relief amplitude per image: the standard deviation of log d_pred over the mask divided by that of log d_gt (1: the
    /// true relief; 2: twice as deep; 0: a plane facing the camera). SIDE counts a wrong amplitude as error, so a shape of
    /// the right form but exaggerated relief can score worse than a flat plane; this tells the two apart.
    /// </summary>
    public static Tensor ReliefRatio(Tensor predicted, Tensor truth, Tensor mask)
    {
        CheckShapes(predicted, truth, mask);
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var count = m.sum(new long[] { 1, 2 }, keepdim: true).clamp_min(1);
        var (_, spread) = MaskedMoments(predicted.to(ScalarType.Float64).log(), m, count);
        var (_, trueSpread) = MaskedMoments(truth.to(ScalarType.Float64).log(), m, count);
        return (spread / trueSpread.clamp_min(1e-12)).flatten().MoveToOuterDisposeScope();
    }

    /// <summary>Mean angle deviation per image in degrees between normal maps on the mask (renormalised to unit length).</summary>
    public static Tensor Mad(Tensor predictedNormals, Tensor trueNormals, Tensor mask)
    {
        if (!predictedNormals.shape.SequenceEqual(trueNormals.shape) || predictedNormals.dim() != 4 || predictedNormals.shape[3] != 3)
            throw new ArgumentException("MAD needs two (B, H, W, 3) normal maps of equal shape");
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var p = nn.functional.normalize(predictedNormals.to(ScalarType.Float64), 2.0, 3);
        var t = nn.functional.normalize(trueNormals.to(ScalarType.Float64), 2.0, 3);
        var cos = (p * t).sum(3).clamp(-1, 1);
        var angle = cos.acos() * (180 / Math.PI) * m;
        return (angle.sum(new long[] { 1, 2 }) / m.sum(new long[] { 1, 2 }).clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// LiftedGAN's Table-2 depth error per image: each map z-scored by its own mean and std over the overlap, then the
    /// RMS difference over the overlap (= sqrt(2 − 2ρ) with ρ the Pearson correlation). Invariant to scale and shift.
    /// </summary>
    public static Tensor NormalizedDepthError(Tensor predicted, Tensor truth, Tensor mask)
    {
        CheckShapes(predicted, truth, mask);
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var count = m.sum(new long[] { 1, 2 }, keepdim: true).clamp_min(2);
        Tensor Z(Tensor d)
        {
            var x = d.to(ScalarType.Float64);
            var (mean, std) = MaskedMoments(x, m, count);
            return (x - mean) / std.clamp_min(1e-12);
        }
        var diff = (Z(predicted) - Z(truth)).pow(2) * m;
        return (diff.sum(new long[] { 1, 2 }) / count.squeeze(2).squeeze(1)).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>Mean and standard deviation per image of x (B, H, W) over the mask m with <paramref name="count"/> pixels (B×1×1 each).</summary>
    static (Tensor Mean, Tensor Std) MaskedMoments(Tensor x, Tensor m, Tensor count)
    {
        var mean = (x * m).sum(new long[] { 1, 2 }, keepdim: true) / count;
        return (mean, (((x - mean).pow(2) * m).sum(new long[] { 1, 2 }, keepdim: true) / count).sqrt());
    }

    static void CheckShapes(Tensor a, Tensor b, Tensor m)
    {
        if (a.dim() != 3 || !a.shape.SequenceEqual(b.shape) || !a.shape.SequenceEqual(m.shape))
            throw new ArgumentException($"depth metrics need (B, H, W) maps of equal shape, got [{string.Join(", ", a.shape)}], [{string.Join(", ", b.shape)}], [{string.Join(", ", m.shape)}]");
    }
}
