namespace LiftedGan.Evaluation;

/// <summary>
/// LiftedGAN's Table-2 pose error: each method's angles are centred by subtracting that method's mean over the set,
/// then the mean absolute difference in degrees is taken (the aggregation the paper leaves unstated; documented).
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
}
