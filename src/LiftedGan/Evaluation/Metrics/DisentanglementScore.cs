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
/// under that variation, and DS_i = Π_{j≠i} max(σ̂[i, i], ε) / max(σ̂[i, j], ε) (DiscoFaceGAN Eq. 9 = Tax-free Eq. 11,
/// with the resolution floor ε = <see cref="Floor"/>; ε = 0 is the papers' formula). Higher is better: varying factor i
/// moves only factor i. <see cref="Floored"/>[i, j] marks spreads below ε (not resolved). <see cref="Exact"/> names the
/// factors whose values were exact rather than re-estimated from images.
/// </summary>
public sealed record DisentanglementResult(DisentanglementDefinition Definition, IReadOnlyList<string> Factors, int Groups, int PerGroup,
    int ReferenceCount, double[] Scores, double[,] Spread, double[] Normaliser, double Floor, bool[,] Floored, IReadOnlyList<string> Exact)
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
              .Append(string.Join(" | ", Enumerable.Range(0, Factors.Count).Select(j => (Floored[i, j] ? "< " : "") + Format(Spread[i, j])))).Append(" |\n");
        sb.Append(CultureInfo.InvariantCulture, $"\n{Describe()}\n");
        return sb.ToString();
    }

    /// <summary>One line: definition, group count and size, reference count, floor, exact factors.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"DS ({(Definition == DisentanglementDefinition.DiscoFaceGan ? "DiscoFaceGAN Eq. 9" : "Tax-free Eq. 11")}): {Groups} groups × {PerGroup} samples per varied factor, normalised on {ReferenceCount} reference images; ")
        + $"resolution floor ε = {Format(Floor)} (σ̂ marked < were below it and count as ε); "
        + (Exact.Count == 0 ? "every factor re-estimated from the images" : $"exact values for {string.Join(", ", Exact)}, the rest re-estimated from the images");

    static string Format(double v) => double.IsPositiveInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>
/// DS over repeated measurements (seeds): per factor the mean and sample standard deviation of DS and of log10 DS
/// (DS is a product of ratios, so its spread is better read on the log scale).
/// </summary>
public sealed record DisentanglementSpread(IReadOnlyList<string> Factors, IReadOnlyList<DisentanglementResult> Runs,
    double[] Mean, double[] Std, double[] LogMean, double[] LogStd)
{
    /// <summary>A markdown table: factor, DS mean ± std, log10 DS mean ± std, then each run's DS; and how it was measured.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("| varied | DS mean ± std | log10 DS mean ± std | " + string.Join(" | ", Runs.Select((_, k) => $"run {k + 1}")) + " |\n");
        sb.Append("|---|---|---|").Append(string.Concat(Runs.Select(_ => "---|"))).Append('\n');
        for (int i = 0; i < Factors.Count; i++)
            sb.Append(c, $"| {Factors[i]} | {Mean[i]:G4} ± {Std[i]:G3} | {LogMean[i]:F2} ± {LogStd[i]:F2} | ")
              .Append(string.Join(" | ", Runs.Select(r => r.Scores[i].ToString("G4", c)))).Append(" |\n");
        sb.Append(c, $"\n{Runs.Count} runs; each: {Runs[0].Describe()}\n");
        return sb.ToString();
    }

    /// <summary>CSV: factor, mean, std, log10 mean, log10 std, then each run's DS.</summary>
    public string ToCsv()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("varied,ds_mean,ds_std,log10_ds_mean,log10_ds_std," + string.Join(',', Runs.Select((_, k) => $"ds_run{k + 1}")) + "\n");
        for (int i = 0; i < Factors.Count; i++)
            sb.Append(c, $"{Factors[i]},{Mean[i]:R},{Std[i]:R},{LogMean[i]:R},{LogStd[i]:R},").Append(string.Join(',', Runs.Select(r => r.Scores[i].ToString("R", c)))).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// DS of several models side by side (e.g. a control generator between the world's ceiling and a code-ignoring floor):
/// one row per model, per factor DS mean ± std and log10 DS mean ± std over the model's runs.
/// </summary>
public sealed record DisentanglementComparison(IReadOnlyList<(string Model, DisentanglementSpread Spread)> Rows)
{
    /// <summary>A markdown table (models × factors) and how each run was measured.</summary>
    public string ToMarkdown()
    {
        if (Rows.Count == 0) throw new EvaluationException("disentanglement", "no models to compare");
        var factors = Rows[0].Spread.Factors;
        if (Rows.Any(r => !r.Spread.Factors.SequenceEqual(factors))) throw new EvaluationException("disentanglement", "models measured different factors");
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("| model | ").Append(string.Join(" | ", factors.Select(f => $"DS {f}"))).Append(" |\n|---|")
            .Append(string.Concat(factors.Select(_ => "---|"))).Append('\n');
        foreach (var (model, spread) in Rows)
        {
            sb.Append("| ").Append(model).Append(" | ");
            sb.Append(string.Join(" | ", factors.Select((_, i) => string.Create(c, $"{spread.Mean[i]:G3} ± {spread.Std[i]:G2} (log10 {spread.LogMean[i]:F2} ± {spread.LogStd[i]:F2})"))));
            sb.Append(" |\n");
        }
        sb.Append(c, $"\nDS mean ± std over {Rows[0].Spread.Runs.Count} seed(s), in brackets log10 DS mean ± std. Each run: {Rows[0].Spread.Runs[0].Describe()}\n");
        sb.Append("\nOwn spread σ̂_ii (mean over the seeds): how far varying a factor moves that factor's estimate, relative to the reference data. " +
                  "DS_i is a ratio, so a model can score a high DS_i because the other factors stay still when i varies (it ignores them), " +
                  "not because factor i follows its code; this column tells the two apart.\n\n| model | ")
          .Append(string.Join(" | ", factors.Select(f => $"σ̂ {f}"))).Append(" |\n|---|").Append(string.Concat(factors.Select(_ => "---|"))).Append('\n');
        foreach (var (model, spread) in Rows)
            sb.Append("| ").Append(model).Append(" | ")
              .Append(string.Join(" | ", factors.Select((_, i) => OwnSpread(spread, i).ToString("G3", c)))).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>CSV: model, factor, mean, std, log10 mean, log10 std, mean own spread σ̂_ii.</summary>
    public string ToCsv()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("model,varied,ds_mean,ds_std,log10_ds_mean,log10_ds_std,own_spread_mean\n");
        foreach (var (model, spread) in Rows)
            for (int i = 0; i < spread.Factors.Count; i++)
                sb.Append(c, $"{model},{spread.Factors[i]},{spread.Mean[i]:R},{spread.Std[i]:R},{spread.LogMean[i]:R},{spread.LogStd[i]:R},{OwnSpread(spread, i):R}\n");
        return sb.ToString();
    }

    /// <summary>Mean over the runs of σ̂[i, i], the normalised spread of factor i while i varies.</summary>
    public static double OwnSpread(DisentanglementSpread spread, int i) => spread.Runs.Average(r => r.Spread[i, i]);
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
    /// varied; <paramref name="reference"/>[j] holds factor j on reference data (N × D_j). Every normalised spread is
    /// raised to the resolution floor <paramref name="floor"/> (a spread smaller than ε of the data's own spread is not
    /// resolved), so DS_i lies in [ε^(F−1) / σ̂max^(F−1), σ̂max^(F−1) / ε^(F−1)] and a factor that moves nothing gives a
    /// finite DS (1 when no factor moves). With <paramref name="floor"/> 0 (the papers' formula) a factor that does not
    /// move at all while another varies is refused with an <see cref="EvaluationException"/> rather than reported as ∞.
    /// </summary>
    public static DisentanglementResult Compute(IReadOnlyList<string> factors, IReadOnlyList<IReadOnlyList<Tensor>> measured,
        IReadOnlyList<Tensor> reference, DisentanglementDefinition definition, double floor = DefaultFloor, IReadOnlyList<string>? exact = null)
    {
        if (!(floor >= 0) || double.IsInfinity(floor)) throw new EvaluationException("floor", $"{floor}: must be a finite number ≥ 0");
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
        var floored = new bool[f, f];
        var scores = new double[f];
        for (int i = 0; i < f; i++)
        {
            for (int j = 0; j < f; j++) floored[i, j] = spread[i, j] < floor;
            double own = Math.Max(spread[i, i], floor), ds = 1;
            for (int j = 0; j < f; j++)
            {
                if (j == i) continue;
                double other = Math.Max(spread[i, j], floor);
                if (!(other > 0))
                    throw new EvaluationException("disentanglement", $"varying {factors[i]} leaves {factors[j]} exactly unchanged: DS_{factors[i]} = σ̂/0 " +
                        "is undefined without a resolution floor (give a floor > 0)");
                ds *= own / other;
            }
            scores[i] = ds;
        }
        return new DisentanglementResult(definition, factors.ToArray(), (int)measured[0][0].shape[0], (int)measured[0][0].shape[1],
            (int)reference[0].shape[0], scores, spread, normaliser, floor, floored, exact?.ToArray() ?? Array.Empty<string>());
    }

    /// <summary>
    /// Default resolution floor ε = 0.01: a within-group variance under 1% of the data's variance (a standard deviation
    /// under 10% of the data's) is not resolved. Without it DS_i divides by the spreads of the factors that should not
    /// move, which sit at the estimator's noise level (σ̂ pitch 0.00098 while light varied in docs/results.md), so F − 1
    /// such ratios multiplied swing DS by orders of magnitude (the ablations' DS light 0.40 … 41,350).
    /// </summary>
    public const double DefaultFloor = 0.01;

    /// <summary>Mean and sample standard deviation (n − 1) of each factor's DS over repeated measurements (e.g. seeds), and of log10 DS.</summary>
    public static DisentanglementSpread Summarise(IReadOnlyList<DisentanglementResult> runs)
    {
        if (runs.Count == 0) throw new EvaluationException("disentanglement", "no runs to summarise");
        var factors = runs[0].Factors;
        if (runs.Any(r => !r.Factors.SequenceEqual(factors))) throw new EvaluationException("disentanglement", "runs measured different factors");
        int f = factors.Count;
        static (double Mean, double Std) Stats(IReadOnlyList<double> v)
        {
            double m = v.Average();
            return (m, v.Count < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1)));
        }
        var mean = new double[f]; var std = new double[f]; var logMean = new double[f]; var logStd = new double[f];
        for (int i = 0; i < f; i++)
        {
            (mean[i], std[i]) = Stats(runs.Select(r => r.Scores[i]).ToList());
            (logMean[i], logStd[i]) = Stats(runs.Select(r => Math.Log10(r.Scores[i])).ToList());
        }
        return new DisentanglementSpread(factors, runs, mean, std, logMean, logStd);
    }
}
