namespace LiftedGan.Data;

/// <summary>
/// How an angle is spread over a set of images (degrees), optionally with a weight per image (the share of draws):
/// mean, standard deviation and the shares beyond ±15° and ±30°. The summary by which a teacher's samples are compared
/// with its training photos (a teacher whose samples turn less than its photos cannot teach a lift pose).
/// </summary>
public sealed record AngleSpread(int Count, double Mean, double Std, double Beyond15, double Beyond30)
{
    /// <summary>The spread of <paramref name="angles"/>, each counted with its weight (uniform without weights).</summary>
    public static AngleSpread Of(IReadOnlyList<double> angles, IReadOnlyList<double>? weights = null)
    {
        if (angles.Count == 0) throw new ArgumentException("no angles");
        if (weights is not null && weights.Count != angles.Count) throw new ArgumentException("one weight per angle");
        double W(int i) => weights is null ? 1 : weights[i];
        double sw = 0, sum = 0;
        for (int i = 0; i < angles.Count; i++) { sw += W(i); sum += W(i) * angles[i]; }
        double mean = sum / sw, var = 0, b15 = 0, b30 = 0;
        for (int i = 0; i < angles.Count; i++)
        {
            var += W(i) * (angles[i] - mean) * (angles[i] - mean);
            if (Math.Abs(angles[i]) > 15) b15 += W(i);
            if (Math.Abs(angles[i]) > 30) b30 += W(i);
        }
        return new AngleSpread(angles.Count, mean, Math.Sqrt(var / sw), b15 / sw, b30 / sw);
    }
}
