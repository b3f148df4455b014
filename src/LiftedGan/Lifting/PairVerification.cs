namespace LiftedGan.Lifting;

/// <summary>
/// Verification on a list of image pairs (LFW's pairs.txt protocol): the accuracy of a cosine threshold chosen on the
/// other folds, per fold, and the ROC AUC; and the same scores on the "clean" pairs, those of which no identity was
/// trained on (where an embedding trained on some of the pairs' people is not flattered by having seen them).
/// </summary>
public sealed record PairVerificationResult(int Pairs, int Folds, double FoldAccuracy, double FoldAccuracyStd, double Auc,
    double SameCosine, double DifferentCosine)
{
    /// <summary>Same- and different-person pairs with no trained identity.</summary>
    public int CleanSame { get; init; }
    public int CleanDifferent { get; init; }
    /// <summary>ROC AUC on the clean pairs (NaN when either kind is missing).</summary>
    public double CleanAuc { get; init; } = double.NaN;
    /// <summary>
    /// Balanced accuracy on the clean pairs at the threshold of the 10-fold protocol chosen on all pairs (the mean of the
    /// same- and different-pair accuracies; the clean pairs are mostly different ones).
    /// </summary>
    public double CleanBalancedAccuracy { get; init; } = double.NaN;
}

/// <summary>Threshold-free and thresholded verification scores of cosine similarities.</summary>
public static class PairVerification
{
    /// <summary>Scores pairs of cosine <paramref name="cosine"/>, truth <paramref name="same"/>, fold index and cleanliness.</summary>
    public static PairVerificationResult Evaluate(IReadOnlyList<double> cosine, IReadOnlyList<bool> same, IReadOnlyList<int> fold, IReadOnlyList<bool> clean)
    {
        int n = cosine.Count;
        if (same.Count != n || fold.Count != n || clean.Count != n) throw new ArgumentException("cosine, same, fold and clean must have one entry per pair");
        var folds = fold.Distinct().Order().ToList();
        var accuracies = new List<double>();
        foreach (int k in folds)
        {
            var train = Enumerable.Range(0, n).Where(i => fold[i] != k).ToList();
            var test = Enumerable.Range(0, n).Where(i => fold[i] == k).ToList();
            double t = folds.Count > 1 ? BestThreshold(train, cosine, same) : BestThreshold(test, cosine, same);
            accuracies.Add(test.Count(i => cosine[i] >= t == same[i]) / (double)test.Count);
        }
        double mean = accuracies.Average();
        double std = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, accuracies.Count - 1));
        var all = Enumerable.Range(0, n).ToList();
        var cleanIdx = all.Where(i => clean[i]).ToList();
        double overall = BestThreshold(all, cosine, same);
        int cleanSame = cleanIdx.Count(i => same[i]), cleanDiff = cleanIdx.Count - cleanSame;
        return new PairVerificationResult(n, folds.Count, mean, std, Auc(all, cosine, same),
            all.Where(i => same[i]).Select(i => cosine[i]).DefaultIfEmpty(double.NaN).Average(),
            all.Where(i => !same[i]).Select(i => cosine[i]).DefaultIfEmpty(double.NaN).Average())
        {
            CleanSame = cleanSame, CleanDifferent = cleanDiff,
            CleanAuc = cleanSame > 0 && cleanDiff > 0 ? Auc(cleanIdx, cosine, same) : double.NaN,
            CleanBalancedAccuracy = cleanSame > 0 && cleanDiff > 0
                ? 0.5 * (cleanIdx.Count(i => same[i] && cosine[i] >= overall) / (double)cleanSame
                         + cleanIdx.Count(i => !same[i] && cosine[i] < overall) / (double)cleanDiff)
                : double.NaN,
        };
    }

    /// <summary>The cosine threshold (same when ≥) with the highest accuracy on the pairs <paramref name="rows"/>.</summary>
    static double BestThreshold(IReadOnlyList<int> rows, IReadOnlyList<double> cosine, IReadOnlyList<bool> same)
    {
        var sorted = rows.OrderBy(i => cosine[i]).ToList();
        // Threshold just at sorted[j]: pairs below it are called different, from it on the same.
        int correct = sorted.Count(i => same[i]), best = correct;
        double threshold = sorted.Count > 0 ? cosine[sorted[0]] : 0;
        for (int j = 0; j < sorted.Count; j++)
        {
            correct += same[sorted[j]] ? -1 : 1;
            if (j + 1 < sorted.Count && cosine[sorted[j + 1]] == cosine[sorted[j]]) continue;
            if (correct > best)
            {
                best = correct;
                threshold = j + 1 < sorted.Count ? 0.5 * (cosine[sorted[j]] + cosine[sorted[j + 1]]) : cosine[sorted[j]] + 1e-9;
            }
        }
        return threshold;
    }

    /// <summary>ROC AUC of the pairs <paramref name="rows"/>: the chance that a same pair's cosine exceeds a different pair's (ties ½).</summary>
    static double Auc(IReadOnlyList<int> rows, IReadOnlyList<double> cosine, IReadOnlyList<bool> same) =>
        Auc(rows.Where(i => same[i]).Select(i => cosine[i]), rows.Where(i => !same[i]).Select(i => cosine[i]));

    /// <summary>ROC AUC of same-pair scores against different-pair scores (ties count ½).</summary>
    public static double Auc(IEnumerable<double> sameScores, IEnumerable<double> differentScores)
    {
        var s = sameScores.ToArray();
        var d = differentScores.ToArray();
        Array.Sort(d);
        double wins = 0;
        foreach (var v in s)
        {
            int below = LowerBound(d, v), notAbove = UpperBound(d, v);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double)s.Length * d.Length);
    }

    internal static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    internal static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
