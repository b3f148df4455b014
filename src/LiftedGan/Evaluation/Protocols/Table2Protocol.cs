using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Table-2 "3D" columns of one method against the pseudo ground truth: mean z-scored depth error and mean-centred angle
/// errors (degrees); optionally the Pearson correlations of the method's yaw, pitch and roll with the reference's.
/// </summary>
public sealed record Table2Result(int Samples, double DepthError, double YawError, double PitchError, double RollError)
{
    public double YawCorrelation { get; init; } = double.NaN;
    public double PitchCorrelation { get; init; } = double.NaN;
    public double RollCorrelation { get; init; } = double.NaN;
    /// <summary>Standard deviation (degrees) of the reference's yaw and pitch over the set: the pose spread r is measured on.</summary>
    public double ReferenceYawStd { get; init; } = double.NaN;
    public double ReferencePitchStd { get; init; } = double.NaN;
}

/// <summary>
/// LiftedGAN's Table-2 protocol (related-systems §5.4) with our own pseudo-ground-truth estimator: for each sample
/// the reference (estimator on the teacher's image) and the method's view-space depth and angles are compared. Depth:
/// per image both maps z-scored on the overlap of the two (one-pixel eroded) masks, RMS difference
/// (<see cref="DepthMetrics.NormalizedDepthError"/>), mean over images. Angles: each method's angles centred by its own
/// mean over the set, mean absolute difference (<see cref="AngleError"/>). Both aggregations are our reading of
/// statements the paper leaves open (UNVERIFIED there).
/// </summary>
public static class Table2Protocol
{
    /// <summary>
    /// Compares pairs (reference, method) for <paramref name="count"/> samples produced batch by batch by
    /// <paramref name="sample"/>(start, n); depth maps must share one size.
    /// </summary>
    public static Table2Result Evaluate(int count, int batch, Func<int, int, (DepthPosePrediction Reference, DepthPosePrediction Method)> sample)
    {
        if (count < 2) throw new EvaluationException("count", $"{count}: need at least 2 samples (angles are mean-centred)");
        if (batch < 1) throw new EvaluationException("batch", $"{batch}: must be at least 1");
        double depthSum = 0;
        var reference = new List<double[]>();
        var method = new List<double[]>();
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            using var scope = NewDisposeScope();
            var (r, m) = sample(start, n);
            using (r)
            using (m)
            {
                if (!r.Depth.shape.SequenceEqual(m.Depth.shape) || r.Depth.shape[0] != n)
                    throw new EvaluationException("sample", $"reference depth [{string.Join(", ", r.Depth.shape)}] and method depth [{string.Join(", ", m.Depth.shape)}] must both be {n} x S x S");
                var overlap = DepthMetrics.Erode(r.Mask) * DepthMetrics.Erode(m.Mask);
                depthSum += DepthMetrics.NormalizedDepthError(m.Depth, r.Depth, overlap).sum().item<double>();
                reference.AddRange(Rows(r.Angles));
                method.AddRange(Rows(m.Angles));
            }
        }
        double Error(int k) => AngleError.MeanCentredAbsolute(method.Select(a => a[k]).ToList(), reference.Select(a => a[k]).ToList());
        double R(int k) => AngleError.Correlation(method.Select(a => a[k]).ToList(), reference.Select(a => a[k]).ToList());
        return new Table2Result(count, depthSum / count, YawError: Error(1), PitchError: Error(0), RollError: Error(2))
        {
            YawCorrelation = R(1), PitchCorrelation = R(0), RollCorrelation = R(2),
            ReferenceYawStd = Std(reference.Select(a => a[1]).ToList()), ReferencePitchStd = Std(reference.Select(a => a[0]).ToList()),
        };
    }

    /// <summary>
    /// The protocol for a lifted generator: z ~ N(0, I) from <paramref name="seed"/>, w = mapping(z); the reference is
    /// <paramref name="estimator"/> on the teacher's image G(w); the method is the lifted estimate for the same w,
    /// its canonical depth rendered at its predicted view (valid: covered and nearer than the border depth − 0.01)
    /// and its predicted angles (raw view × 60°). Images and depth are resized to the estimator's size (area / bilinear).
    /// </summary>
    public static Table2Result ForLiftedGenerator(LiftedGenerator model, PoseDepthEstimator estimator, int count, long seed, int batch = 8)
    {
        using var generator = new Generator((ulong)seed);
        int size = estimator.InputSize;
        return Evaluate(count, batch, (_, n) =>
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var z = randn(n, model.Teacher.Config.StyleDim, generator: generator);
            var w = model.Teacher.Map(z);
            var (image, _) = model.Synthesize(w);
            var reference = PoseDepthTraining.Predict(estimator, Resize(image.clamp(-1, 1), size, "area"));
            foreach (var t in new[] { reference.Depth, reference.Mask, reference.Angles }) t.MoveToOuterDisposeScope();
            using var estimate = model.Estimate(w);
            using var render = model.Render(estimate.Depth, estimate.Albedo, estimate.Light, estimate.View, estimate.TransformationMap);
            var valid = render.Render.Mask.squeeze(1).gt(0.5).logical_and(render.Render.Depth.lt(model.Config.BorderDepth - 0.01)).to(ScalarType.Float32);
            var depth = Resize(render.Render.Depth.unsqueeze(1), size, "bilinear").squeeze(1);
            var mask = Resize(valid.unsqueeze(1), size, "area").squeeze(1).gt(0.99).to(ScalarType.Float32);
            var angles = estimate.View[.., ..3] * ViewTransform.RotationRangeDegrees;
            var method = new DepthPosePrediction(depth.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(), angles.MoveToOuterDisposeScope());
            return (reference, method);
        });
    }

    static double Std(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    static Tensor Resize(Tensor x, int size, string mode)
    {
        if (x.shape[2] == size && x.shape[3] == size) return x.alias();
        return mode == "area"
            ? nn.functional.adaptive_avg_pool2d(x, new long[] { size, size })
            : nn.functional.interpolate(x, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false);
    }

    static IEnumerable<double[]> Rows(Tensor angles)
    {
        var data = angles.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        for (int i = 0; i < data.Length / 3; i++) yield return new[] { data[3 * i], data[3 * i + 1], data[3 * i + 2] };
    }
}
