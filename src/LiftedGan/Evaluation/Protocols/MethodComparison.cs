using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// What a method cost, as the comparison shows it: the text and where it came from (<see cref="Checkpoint"/>: stored by
/// its training run; <see cref="Stated"/>: given by whoever ran the comparison; <see cref="Measured"/>: timed in this
/// run; <see cref="None"/>: nothing was trained).
/// </summary>
public sealed record MethodCost(string Text, string Source)
{
    public const string Checkpoint = "checkpoint", Stated = "stated", Measured = "measured in this run", None = "none";
}

/// <summary>Settings of <see cref="MethodComparison.Run"/>.</summary>
public sealed record MethodComparisonOptions
{
    /// <summary>Teacher samples every cheap method is scored on (z ~ N(0, I) from <see cref="Seed"/>, ψ 1).</summary>
    public int Count { get; init; } = 500;
    public long Seed { get; init; } = 1;
    public int Batch { get; init; } = 8;

    /// <summary>
    /// The costly method (a per-image fit) is scored on the first this-many of the same samples, beside every other
    /// method on those samples; 0 leaves it out.
    /// </summary>
    public int CostlyCount { get; init; }

    /// <summary>Yaw offsets (degrees) of the identity renders, from each method's own predicted view.</summary>
    public IReadOnlyList<double> IdentityYaws { get; init; } = [-30, 30];
}

/// <summary>
/// One row of the comparison: a method (or a trivial baseline) on <see cref="Samples"/> samples (the first ones of the
/// comparison's stream), its exact-truth scores, its canonical-depth scores (null for the baselines without a canonical
/// depth), its identity under rotation (null without an embedding or a renderable reconstruction) and its cost.
/// </summary>
public sealed record ComparisonRow(string Method, string Label, int Samples, TruthScores Scores, CanonicalScores? Canonical,
    IdentityYawResult? Identity, MethodCost? Cost)
{
    /// <summary>Mean identity cosine over faces and the non-zero yaws, NaN without identity.</summary>
    public double IdentityCosine => Identity?.MeanOverYaws ?? double.NaN;
}

/// <summary>
/// The comparison: <see cref="All"/> holds every cheap method and the trivial baselines on all samples,
/// <see cref="Costly"/> (or null) the costly method with every other method and baseline again on its first samples;
/// <see cref="Rows"/> is both, in table order.
/// </summary>
public sealed record MethodComparisonResult(MethodComparisonOptions Options, ExactTruthResult All, ExactTruthResult? Costly, IReadOnlyList<ComparisonRow> Rows);

/// <summary>
/// Every method on the same teacher samples with exact truth (issue #18's comparison): the cheap methods (a lift,
/// Unsup3d, the supervised oracle) on all samples, a costly per-image method (GAN2Shape) on the first ones, each beside
/// the protocol's trivial baselines (the constant template above all) on the same samples; the identity cosine of each
/// method's reconstruction turned by the identity yaws from its own predicted view; the costs.
/// </summary>
public static class MethodComparison
{
    /// <summary>The table's default label of each method name.</summary>
    public static IReadOnlyDictionary<string, string> DefaultLabels { get; } = new Dictionary<string, string>
    {
        [ExactTruthProtocol.Lift] = "LiftedGAN",
        [Unsup3dTruthSubject.Name] = "Unsup3d",
        [Gan2ShapeTruthSubject.Name] = "GAN2Shape",
        [Gan2ShapeTruthSubject.JointName] = "GAN2Shape (from its joint pre-training)",
        [ExactTruthProtocol.Supervised] = "supervised oracle (the lift's networks trained on the truth)",
        [ExactTruthProtocol.ConstantTemplate] = "constant template (mean depth at the mean pose)",
        [ExactTruthProtocol.Constant] = "constant answer (flat plane, 0°)",
        [ExactTruthProtocol.MeanShape] = "mean shape at the true pose (given the true pose)",
    };

    static readonly string[] Baselines = [ExactTruthProtocol.ConstantTemplate, ExactTruthProtocol.Constant, ExactTruthProtocol.MeanShape];

    /// <summary>
    /// Scores <paramref name="subjects"/> on <see cref="MethodComparisonOptions.Count"/> samples and
    /// <paramref name="costly"/> (if any, with <see cref="MethodComparisonOptions.CostlyCount"/> ≥ 2) together on the first
    /// samples of the same stream; with <paramref name="embedding"/> the identity cosine of every renderable method.
    /// <paramref name="costs"/> and <paramref name="labels"/> (by method name) go into the rows; a
    /// <see cref="Gan2ShapeTruthSubject"/> gets its measured CPU seconds per image.
    /// </summary>
    public static MethodComparisonResult Run(StyleGenerator teacher, IReadOnlyList<ITruthSubject> subjects, IReadOnlyList<ITruthSubject> costly, IFaceEmbedding? embedding,
        MethodComparisonOptions o, IReadOnlyDictionary<string, MethodCost>? costs = null, IReadOnlyDictionary<string, string>? labels = null,
        Action<string>? log = null)
    {
        if (subjects.Count == 0 && costly.Count == 0) throw new EvaluationException("methods", "no method to compare");
        if (costly.Select(c => c.Method).Distinct().Count() != costly.Count) throw new EvaluationException("costly methods", "two share a method name");
        if (costly.Count > 0 && (o.CostlyCount < 2 || o.CostlyCount > o.Count))
            throw new EvaluationException("costly count", $"{o.CostlyCount}: the costly method needs between 2 and {o.Count} of the samples");
        var cost = new Dictionary<string, MethodCost>(costs ?? new Dictionary<string, MethodCost>());
        cost.TryAdd(ExactTruthProtocol.ConstantTemplate, new MethodCost("none (256 world faces averaged)", MethodCost.None));
        var label = new Dictionary<string, string>(DefaultLabels);
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) label[k] = v;

        var rows = new List<ComparisonRow>();
        ExactTruthResult? all = null;
        if (subjects.Count > 0)
        {
            log?.Invoke($"scoring {string.Join(", ", subjects.Select(s => s.Method))} on {o.Count} samples");
            var (r, identity) = Block(teacher, subjects, embedding, o, o.Count);
            all = r;
            rows.AddRange(Rows(r, identity, subjects.Select(s => s.Method), label, cost));
        }
        ExactTruthResult? costlyResult = null;
        if (costly.Count > 0)
        {
            CheckSameFirstLatents(o, teacher.Config.StyleDim);
            log?.Invoke($"scoring {string.Join(", ", costly.Select(c => c.Method))} on the first {o.CostlyCount} samples, beside the others");
            var scored = costly.Concat(subjects).ToList();
            var (r, identity) = Block(teacher, scored, embedding, o, o.CostlyCount);
            costlyResult = r;
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            foreach (var c in costly)
                if (c is Gan2ShapeTruthSubject g && g.FitSeconds.Count > 0)
                {
                    string text = string.Create(inv, $"{g.FitSeconds.Average(s => s.Cpu):F0} CPU-s per image ({g.FitSeconds.Average(s => s.Wall):F0} s wall, {g.FitSeconds.Count} fits)");
                    if (g.Start?.TrainSeconds is double t) text += string.Create(inv, $", after the joint pre-training's {t:F0} s once (its file)");
                    cost.TryAdd(c.Method, new MethodCost(text, MethodCost.Measured));
                }
            rows.AddRange(Rows(r, identity, scored.Select(s => s.Method), label, cost));
        }
        return new MethodComparisonResult(o, all ?? costlyResult!, all is null ? null : costlyResult, rows);
    }

    static (ExactTruthResult, Dictionary<string, IdentityYawResult>) Block(StyleGenerator teacher, IReadOnlyList<ITruthSubject> subjects,
        IFaceEmbedding? embedding, MethodComparisonOptions o, int count)
    {
        var parts = new Dictionary<string, List<IdentityYawResult>>();
        Action<TruthPrediction, string>? observe = embedding is null ? null : (p, method) =>
        {
            if (!p.CanRotate) return;
            if (!parts.TryGetValue(method, out var list)) parts[method] = list = new List<IdentityYawResult>();
            list.Add(IdentityYaw.MeasurePredictions(embedding, p, o.IdentityYaws));
        };
        var r = ExactTruthProtocol.Compare(teacher, subjects, count, o.Seed, o.Batch, observe);
        return (r, parts.ToDictionary(kv => kv.Key, kv => IdentityYawResult.Concat(kv.Value)));
    }

    static IEnumerable<ComparisonRow> Rows(ExactTruthResult r, Dictionary<string, IdentityYawResult> identity, IEnumerable<string> methods,
        Dictionary<string, string> label, Dictionary<string, MethodCost> cost) =>
        methods.Concat(Baselines).Select(m => new ComparisonRow(m, label.GetValueOrDefault(m, m), r.Samples, r[m]!,
            r.Canonical.GetValueOrDefault(m), identity.GetValueOrDefault(m), cost.GetValueOrDefault(m)));

    /// <summary>
    /// Throws unless the first <see cref="MethodComparisonOptions.CostlyCount"/> latents of the costly block are the
    /// first latents of the whole comparison (the sample loop draws batch by batch from one generator).
    /// </summary>
    static void CheckSameFirstLatents(MethodComparisonOptions o, int dim)
    {
        Tensor Draw(int count)
        {
            var list = new List<Tensor>();
            LatentBatches.Run(o.Seed, count, o.Batch, dim, z => list.Add(z.clone().DetachFromDisposeScope()));
            var all = cat(list, 0);
            foreach (var t in list) t.Dispose();
            return all;
        }
        using var scope = NewDisposeScope();
        using var whole = Draw(o.Count);
        using var first = Draw(o.CostlyCount);
        if (!whole.narrow(0, 0, o.CostlyCount).eq(first).all().item<bool>())
            throw new EvaluationException("costly count", $"the first {o.CostlyCount} latents differ from the comparison's first ones at batch {o.Batch}; use a multiple of the batch");
    }
}
