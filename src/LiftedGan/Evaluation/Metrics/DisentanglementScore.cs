using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Which published disentanglement score: how a factor's spread σ and its normaliser are computed.</summary>
public enum DisentanglementDefinition
{
    /// <summary>
    /// DiscoFaceGAN §4.3, Eq. 9: σ = within-group variance averaged over groups, divided by the variance of the same
    /// variable on reference data. A vector's variance is the mean of its per-dimension variances (the paper leaves
    /// this open); variances use n − 1.
    /// </summary>
    DiscoFaceGan,

    /// <summary>
    /// Tax-free §3.2, Eq. 11: σ = mean over groups of the mean L2 distance to the group mean, divided by the L2 norm of
    /// the mean vector over reference data (degenerate for zero-mean quantities such as yaw: the normaliser tends to 0).
    /// </summary>
    TaxFree,
}

/// <summary>
/// A disentanglement score table: for each varied factor i, the normalised spread σ̂[i, j] of every measured factor j
/// under that variation, and DS_i = Π_{j≠i} σ̂[i, i] / σ̂[i, j] (DiscoFaceGAN Eq. 9 = Tax-free Eq. 11). Higher is better:
/// varying factor i moves only factor i.
/// </summary>
public sealed record DisentanglementResult(DisentanglementDefinition Definition, IReadOnlyList<string> Factors, int Groups, int PerGroup,
    int ReferenceCount, double[] Scores, double[,] Spread, double[] Normaliser)
{
    /// <summary>CSV: varied factor, DS, then the normalised spread of each measured factor.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("varied,ds," + string.Join(',', Factors.Select(f => "sigma_" + f)) + "\n");
        for (int i = 0; i < Factors.Count; i++)
            sb.Append(Factors[i]).Append(',').Append(Format(Scores[i])).Append(',')
              .Append(string.Join(',', Enumerable.Range(0, Factors.Count).Select(j => Format(Spread[i, j])))).Append('\n');
        return sb.ToString();
    }

    /// <summary>A markdown table with the same columns, and a line saying how it was measured.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| varied | DS | ").Append(string.Join(" | ", Factors.Select(f => $"σ̂ {f}"))).Append(" |\n");
        sb.Append("|---|---|").Append(string.Concat(Factors.Select(_ => "---|"))).Append('\n');
        for (int i = 0; i < Factors.Count; i++)
            sb.Append("| ").Append(Factors[i]).Append(" | ").Append(Format(Scores[i])).Append(" | ")
              .Append(string.Join(" | ", Enumerable.Range(0, Factors.Count).Select(j => Format(Spread[i, j])))).Append(" |\n");
        sb.Append(CultureInfo.InvariantCulture, $"\n{Describe()}\n");
        return sb.ToString();
    }

    /// <summary>One line: definition, group count and size, reference count.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"DS ({(Definition == DisentanglementDefinition.DiscoFaceGan ? "DiscoFaceGAN Eq. 9" : "Tax-free Eq. 11")}): {Groups} groups × {PerGroup} samples per varied factor, normalised on {ReferenceCount} reference images");

    static string Format(double v) => double.IsPositiveInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>The arithmetic of the disentanglement score on measured factor values (no generator involved).</summary>
public static class DisentanglementScore
{
    /// <summary>
    /// Spread σ of one factor measured in G groups of K samples (G × K × D): DiscoFaceGAN — per group the per-dimension
    /// variance (n − 1), averaged over dimensions and groups; Tax-free — per group the mean L2 distance to the group
    /// mean, averaged over groups.
    /// </summary>
    public static double Spread(Tensor groups, DisentanglementDefinition definition)
    {
        if (groups.dim() != 3 || groups.shape[0] < 1 || groups.shape[1] < 2 || groups.shape[2] < 1)
            throw new EvaluationException("measurements", $"need groups × samples × dims with at least 1 group of 2 samples, got [{string.Join(", ", groups.shape)}]");
        using var scope = NewDisposeScope();
        var x = groups.to(ScalarType.Float64);
        return definition == DisentanglementDefinition.DiscoFaceGan
            ? x.var(1, unbiased: true).mean().item<double>()
            : (x - x.mean(new long[] { 1 }, keepdim: true)).norm(2, true).mean().item<double>();
    }

    /// <summary>
    /// Normaliser of one factor from reference measurements (N × D): DiscoFaceGAN — mean per-dimension variance (n − 1);
    /// Tax-free — L2 norm of the mean vector.
    /// </summary>
    public static double Normaliser(Tensor reference, DisentanglementDefinition definition)
    {
        if (reference.dim() != 2 || reference.shape[0] < 2)
            throw new EvaluationException("reference", $"need at least 2 reference samples (N × D), got [{string.Join(", ", reference.shape)}]");
        using var scope = NewDisposeScope();
        var x = reference.to(ScalarType.Float64);
        return definition == DisentanglementDefinition.DiscoFaceGan
            ? x.var(0, unbiased: true).mean().item<double>()
            : x.mean(new long[] { 0 }).norm().item<double>();
    }

    /// <summary>
    /// DS of every factor. <paramref name="measured"/>[i][j] holds factor j's values (G × K × D_j) while factor i was
    /// varied; <paramref name="reference"/>[j] holds factor j on reference data (N × D_j). A zero spread of another
    /// factor gives DS = +∞.
    /// </summary>
    public static DisentanglementResult Compute(IReadOnlyList<string> factors, IReadOnlyList<IReadOnlyList<Tensor>> measured,
        IReadOnlyList<Tensor> reference, DisentanglementDefinition definition)
    {
        int f = factors.Count;
        if (f < 2) throw new EvaluationException("factors", $"{f}: DS needs at least 2 factors");
        if (measured.Count != f || measured.Any(m => m.Count != f) || reference.Count != f)
            throw new EvaluationException("measurements", $"need {f} × {f} measured tensors and {f} reference tensors");
        var normaliser = reference.Select(r => Normaliser(r, definition)).ToArray();
        for (int j = 0; j < f; j++)
            if (!(normaliser[j] > 0)) throw new EvaluationException("reference", $"factor {factors[j]} has no spread on the reference data ({normaliser[j]})");
        var spread = new double[f, f];
        for (int i = 0; i < f; i++)
            for (int j = 0; j < f; j++)
            {
                if (measured[i][j].shape[0] != measured[i][0].shape[0] || measured[i][j].shape[1] != measured[i][0].shape[1])
                    throw new EvaluationException("measurements", $"varying {factors[i]}: factor {factors[j]} has another group layout");
                spread[i, j] = Spread(measured[i][j], definition) / normaliser[j];
            }
        var scores = new double[f];
        for (int i = 0; i < f; i++)
        {
            double ds = 1;
            for (int j = 0; j < f; j++)
                if (j != i) ds *= spread[i, j] > 0 ? spread[i, i] / spread[i, j] : double.PositiveInfinity;
            scores[i] = ds;
        }
        return new DisentanglementResult(definition, factors.ToArray(), (int)measured[0][0].shape[0], (int)measured[0][0].shape[1],
            (int)reference[0].shape[0], scores, spread, normaliser);
    }
}
