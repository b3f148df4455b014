using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Mean errors of a depth-and-pose predictor against exact truth over a set of images: SIDE (raw, not ×10²), MAD and
/// the z-scored depth error (<see cref="DepthMetrics"/>, on the eroded overlap of both masks; means over the images
/// where that overlap is not empty, NaN if none), the mean absolute pitch, yaw and roll error in degrees (all images),
/// how many images had an empty overlap (a predictor that finds no foreground must not score a perfect 0), and the
/// Pearson correlation of the predicted pitch, yaw and roll with the true ones (the ceiling for any correlation measured
/// against this predictor).
/// </summary>
public sealed record GeometryErrors(int Images, double Side, double Mad, double NormalizedDepth, double PitchError, double YawError, double RollError, int EmptyOverlap = 0,
    double PitchCorrelation = double.NaN, double YawCorrelation = double.NaN, double RollCorrelation = double.NaN)
{
    /// <summary>
    /// Scores <paramref name="predict"/> on <paramref name="count"/> procedural-world images of size
    /// <paramref name="size"/> drawn with <paramref name="seed"/> (a stream the predictor was not trained on), in
    /// batches of <paramref name="batch"/>.
    /// </summary>
    public static GeometryErrors OnFaceWorld(Func<Tensor, DepthPosePrediction> predict, int count, int size, long seed, int batch = 16)
    {
        if (count < 1) throw new EvaluationException("count", $"{count}: must be at least 1");
        using var generator = new Generator((ulong)seed);
        var renderer = FaceWorld.Renderer(size);
        var sums = new double[7];
        var predicted = new[] { new List<double>(), new List<double>(), new List<double>() };
        var truth = new[] { new List<double>(), new List<double>(), new List<double>() };
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(batch, count - done);
            using var scope = NewDisposeScope();
            using var faces = FaceWorld.SampleBatch(n, size, generator);
            using var p = predict(faces.Images);
            var truthMask = faces.RenderedMask.gt(0.5).to(ScalarType.Float32);
            var angles = faces.View[.., ..3] * (180 / Math.PI);
            var part = Compare(renderer, p, faces.RenderedDepth, truthMask, angles);
            for (int k = 0; k < 7; k++) sums[k] += part[k];
            var (pa, ta) = (p.Angles.to(ScalarType.Float64).cpu().data<double>().ToArray(), angles.to(ScalarType.Float64).cpu().data<double>().ToArray());
            for (int i = 0; i < n * 3; i++)
            {
                predicted[i % 3].Add(pa[i]);
                truth[i % 3].Add(ta[i]);
            }
            done += n;
        }
        double covered = sums[6];
        double Depth(int k) => covered > 0 ? sums[k] / covered : double.NaN;
        double R(int k) => count > 1 ? AngleError.Correlation(predicted[k], truth[k]) : double.NaN;
        return new GeometryErrors(count, Depth(0), Depth(1), Depth(2), sums[3] / count, sums[4] / count, sums[5] / count, count - (int)covered, R(0), R(1), R(2));
    }

    /// <summary>
    /// Batch sums of SIDE, MAD and z-scored depth error over the images whose eroded mask overlap is not empty, of
    /// |Δpitch|, |Δyaw|, |Δroll| over all images, and the number of images with an overlap (depth B x S x S, mask
    /// B x S x S, angles B x 3 in degrees); both masks are eroded by one pixel.
    /// </summary>
    public static double[] Compare(DepthMapRenderer renderer, DepthPosePrediction prediction, Tensor depth, Tensor mask, Tensor angles)
    {
        if (!prediction.Depth.shape.SequenceEqual(depth.shape))
            throw new EvaluationException("prediction", $"depth [{string.Join(", ", prediction.Depth.shape)}] does not match truth [{string.Join(", ", depth.shape)}]");
        using var scope = NewDisposeScope();
        var m = DepthMetrics.Erode(mask) * DepthMetrics.Erode(prediction.Mask);
        var valid = m.flatten(1).sum(1).gt(0).to(ScalarType.Float64);
        double Sum(Tensor perImage) => (perImage.to(ScalarType.Float64).nan_to_num() * valid).sum().item<double>();
        var side = Sum(DepthMetrics.Side(prediction.Depth, depth, m));
        var mad = Sum(DepthMetrics.Mad(renderer.Normals(prediction.Depth), renderer.Normals(depth), m));
        var z = Sum(DepthMetrics.NormalizedDepthError(prediction.Depth, depth, m));
        var angle = (prediction.Angles.to(ScalarType.Float64) - angles.to(ScalarType.Float64)).abs().sum(new long[] { 0 });
        return new[] { side, mad, z, angle[0].item<double>(), angle[1].item<double>(), angle[2].item<double>(), valid.sum().item<double>() };
    }
}
