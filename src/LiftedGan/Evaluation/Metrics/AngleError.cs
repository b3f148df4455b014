namespace LiftedGan.Evaluation;

/// <summary>
/// LiftedGAN's Table-2 pose error: each method's angles are centred by subtracting that method's mean over the set,
/// then the mean absolute difference in degrees is taken (the aggregation the paper leaves unstated; documented).
/// Beside it, the Pearson correlation of the two angle lists, which is blind to offset and scale.
/// </summary>
public static class AngleError
{
    public static double MeanCentredAbsolute(IReadOnlyList<double> predicted, IReadOnlyList<double> reference)
    {
        if (predicted.Count != reference.Count || predicted.Count == 0)
            throw new ArgumentException($"angle error needs two non-empty lists of equal length, got {predicted.Count} and {reference.Count}");
        double mp = predicted.Average(), mr = reference.Average();
        return predicted.Zip(reference).Average(p => Math.Abs(p.First - mp - (p.Second - mr)));
    }

    /// <summary>Pearson correlation of the two lists; NaN when either is constant.</summary>
    public static double Correlation(IReadOnlyList<double> predicted, IReadOnlyList<double> reference)
    {
        if (predicted.Count != reference.Count || predicted.Count < 2)
            throw new ArgumentException($"angle correlation needs two lists of equal length of at least 2, got {predicted.Count} and {reference.Count}");
        double mp = predicted.Average(), mr = reference.Average();
        double cov = 0, vp = 0, vr = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            double a = predicted[i] - mp, b = reference[i] - mr;
            cov += a * b;
            vp += a * a;
            vr += b * b;
        }
        return vp > 0 && vr > 0 ? cov / Math.Sqrt(vp * vr) : double.NaN;
    }
}
