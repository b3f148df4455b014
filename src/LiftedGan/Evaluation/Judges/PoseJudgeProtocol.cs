using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation.Judges;

/// <summary>
/// One method's angles against a reference (degrees): per angle the error statistics of method − reference (mean and
/// median absolute, bias, mean absolute with the bias removed, gain) and the Pearson correlation with the reference.
/// </summary>
public sealed record JudgedAngles(string Method, string Reference, AngleStats Pitch, AngleStats Yaw, AngleStats Roll,
    double PitchCorrelation, double YawCorrelation, double RollCorrelation);

/// <summary>What <see cref="PoseJudgeProtocol.ForLiftedGenerator"/> measured; <see cref="Comparisons"/> in report order.</summary>
public sealed record PoseJudgeResult(int Samples, long Seed, IReadOnlyList<JudgedAngles> Comparisons)
{
    /// <summary>Standard deviation of the judge's yaw, pitch and roll over the samples: the spread the errors compare with.</summary>
    public (double Yaw, double Pitch, double Roll) JudgeSpread { get; init; }
}

/// <summary>
/// A lift's pose scored by an independent judge (<see cref="FsaNetJudge"/>): z ~ N(0, I) from the seed, the teacher's
/// image G(mapping(z)) at truncation 1 goes to the judge, and the lift's predicted angles (raw view × 60°) for the
/// same w are compared with the judge's. Beside the lift: a constant answer (0°, the canonical pose) against the same
/// judge. With <c>exactTruth</c> (a world-fit teacher) the world's true angles of <see cref="LatentFaces"/>(z) are
/// also compared with the judge's and the lift's: how well the judge itself reads these faces.
/// </summary>
public static class PoseJudgeProtocol
{
    public const string Lift = "lift", Constant = "constant answer (0°)", Judge = "judge", Truth = "exact truth";

    public static PoseJudgeResult ForLiftedGenerator(LiftedGenerator model, FsaNetJudge judge, int count, long seed, int batch = 8,
        bool exactTruth = false)
    {
        if (count < 2) throw new EvaluationException("count", $"{count}: need at least 2 samples");
        if (batch < 1) throw new EvaluationException("batch", $"{batch}: must be at least 1");
        int dim = model.Teacher.Config.StyleDim, size = model.Config.ImageSize;
        if (exactTruth && dim < LatentFaces.MinimumDimension)
            throw new EvaluationException("teacher", $"latent size {dim} is below the world map's {LatentFaces.MinimumDimension}: not a world-fit teacher");
        var lift = new List<double[]>();
        var judged = new List<double[]>();
        var truth = new List<double[]>();
        LatentBatches.Run(seed, count, batch, dim, z =>
        {
            var w = model.Teacher.Map(z);
            var (image, _) = model.Synthesize(w);
            judged.AddRange(Rows(judge.Predict(image)));
            using (var estimate = model.Estimate(w))
                lift.AddRange(Rows(estimate.View[.., ..3] * ViewTransform.RotationRangeDegrees));
            if (exactTruth)
            {
                using var world = LatentFaces.Truth(z, size);
                truth.AddRange(Rows(world.View[.., ..3] * (180 / Math.PI)));
            }
        });
        var constant = judged.Select(_ => new double[3]).ToList();
        var comparisons = new List<JudgedAngles> { Compare(Lift, lift, Judge, judged), Compare(Constant, constant, Judge, judged) };
        if (exactTruth)
        {
            comparisons.Add(Compare(Judge, judged, Truth, truth));
            comparisons.Add(Compare(Lift, lift, Truth, truth));
            comparisons.Add(Compare(Constant, constant, Truth, truth));
        }
        return new PoseJudgeResult(count, seed, comparisons) { JudgeSpread = (Std(judged, 1), Std(judged, 0), Std(judged, 2)) };
    }

    /// <summary>Errors of <paramref name="method"/> − <paramref name="reference"/>, rows of (pitch, yaw, roll).</summary>
    public static JudgedAngles Compare(string methodName, IReadOnlyList<double[]> method, string referenceName, IReadOnlyList<double[]> reference)
    {
        AngleStats Stats(int k) => AngleStats.Of(method.Zip(reference, (m, r) => m[k] - r[k]).ToList(), reference.Select(r => r[k]).ToList());
        double R(int k) => AngleError.Correlation(method.Select(m => m[k]).ToList(), reference.Select(r => r[k]).ToList());
        return new JudgedAngles(methodName, referenceName, Stats(0), Stats(1), Stats(2), R(0), R(1), R(2));
    }

    /// <summary>The rows of a (B, 3) angle tensor.</summary>
    public static IEnumerable<double[]> Rows(Tensor angles)
    {
        var data = angles.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        return Enumerable.Range(0, data.Length / 3).Select(i => new[] { data[3 * i], data[3 * i + 1], data[3 * i + 2] }).ToList();
    }

    static double Std(IReadOnlyList<double[]> rows, int k)
    {
        double mean = rows.Average(r => r[k]);
        return Math.Sqrt(rows.Sum(r => (r[k] - mean) * (r[k] - mean)) / Math.Max(1, rows.Count - 1));
    }
}
