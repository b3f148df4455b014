using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Evaluation;

/// <summary>
/// Writes measured metrics as reports: a Table-2-style comparison of several models (markdown, CSV and one PNG plot
/// per metric) and the full markdown report of one shipped model. Every number comes from the metrics passed in.
/// </summary>
public static class ResultsReport
{
    static readonly (string Column, string Header, Func<ModelMetrics, double> Value)[] Columns =
    {
        ("reconstruction_l1", "rec. L1 ↓", m => m.ReconstructionL1),
        ("reconstruction_perceptual", "rec. perceptual ↓", m => m.ReconstructionPerceptual),
        ("fid", "FID ↓", m => m.Fid?.Fid ?? double.NaN),
        ("kid", "KID ↓", m => m.Fid?.KidMean ?? double.NaN),
        ("depth", "depth ↓", m => m.Table2?.DepthError ?? double.NaN),
        ("yaw", "yaw (°) ↓", m => m.Table2?.YawError ?? double.NaN),
        ("pitch", "pitch (°) ↓", m => m.Table2?.PitchError ?? double.NaN),
        ("roll", "roll (°) ↓", m => m.Table2?.RollError ?? double.NaN),
        ("yaw_r", "yaw r ↑", m => m.Table2?.YawCorrelation ?? double.NaN),
        ("pitch_r", "pitch r ↑", m => m.Table2?.PitchCorrelation ?? double.NaN),
        ("ds_yaw", "DS yaw ↑", m => m.Ds("yaw")),
        ("ds_pitch", "DS pitch ↑", m => m.Ds("pitch")),
        ("ds_light", "DS light ↑", m => m.Ds("light")),
        ("ds_identity", "DS identity ↑", m => m.Ds("identity")),
        ("identity_cos", "identity cos ↑", m => m.MeanIdentity),
        ("exact_yaw", "yaw err. exact (°) ↓", m => m.LiftTruth?.Yaw?.MeanAbs ?? double.NaN),
        ("exact_pitch", "pitch err. exact (°) ↓", m => m.LiftTruth?.Pitch?.MeanAbs ?? double.NaN),
        ("exact_roll", "roll err. exact (°) ↓", m => m.LiftTruth?.Roll?.MeanAbs ?? double.NaN),
        ("exact_side", "SIDE exact ↓", m => m.LiftTruth?.Side ?? double.NaN),
        ("exact_mad", "MAD exact (°) ↓", m => m.LiftTruth?.Mad ?? double.NaN),
        ("distinctiveness", "distinct. ↑", m => m.Truth?.Distinctiveness ?? double.NaN),
        ("exact_side_ratio", "SIDE / supervised ↓", m => m.Truth?.SideRatio ?? double.NaN),
        ("exact_mad_ratio", "MAD / supervised ↓", m => m.Truth?.MadRatio ?? double.NaN),
    };

    static string F(double v) => double.IsNaN(v) ? "–" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture);

    static string Csv(double v) => double.IsNaN(v) ? "" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>CSV of the comparison: name, steps, then every metric column (empty = not measured).</summary>
    public static string ComparisonCsv(IReadOnlyList<ModelMetrics> rows)
    {
        var sb = new StringBuilder("name,steps," + string.Join(',', Columns.Select(c => c.Column)) + "\n");
        foreach (var m in rows)
            sb.Append(m.Name).Append(',').Append(m.Steps.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(string.Join(',', Columns.Select(c => Csv(c.Value(m))))).Append('\n');
        return sb.ToString();
    }

    /// <summary>Markdown table of the comparison (columns that no row measured are left out) with the sample counts below it.</summary>
    public static string ComparisonMarkdown(IReadOnlyList<ModelMetrics> rows, IReadOnlyDictionary<string, string>? labels = null)
    {
        var used = Columns.Where(c => rows.Any(m => !double.IsNaN(c.Value(m)))).ToList();
        var sb = new StringBuilder("| method | steps | " + string.Join(" | ", used.Select(c => c.Header)) + " |\n");
        sb.Append("|---|---|").Append(string.Concat(used.Select(_ => "---|"))).Append('\n');
        foreach (var m in rows)
            sb.Append("| ").Append(labels is not null && labels.TryGetValue(m.Name, out var l) ? l : m.Name).Append(" | ")
              .Append(m.Steps.ToString(CultureInfo.InvariantCulture)).Append(" | ")
              .Append(string.Join(" | ", used.Select(c => F(c.Value(m))))).Append(" |\n");
        sb.Append('\n').Append(Counts(rows[0])).Append('\n');
        return sb.ToString();
    }

    /// <summary>The sample counts and definitions behind one row's numbers.</summary>
    public static string Counts(ModelMetrics m)
    {
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"reconstruction L1: mean |render − teacher| over all pixels ([-1, 1] units), {m.ReconstructionSamples} samples at the run's ψ") };
        if (!double.IsNaN(m.ReconstructionPerceptual))
            parts.Add($"reconstruction perceptual: the official perceptual loss's multi-scale VGG16 cosine distance (relu2_2, relu3_3, relu4_3 at the run's scales, whatever slices the run trained with) between render and teacher on the same samples, with the {m.PerceptualNetwork}");
        if (m.Fid is { } f)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{f.FidLabel} / {f.KidLabel}: {f.CountA} lifted renders (ψ 1, predicted view and light) vs {f.CountB} teacher samples (ψ 1)"));
        if (m.Table2 is { } t)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"depth / yaw / pitch / roll: Table-2 protocol vs the pseudo-ground-truth estimator on {t.Samples} teacher samples (depth: RMS of z-scored maps; angles: mean-centred mean absolute error; r: Pearson correlation of the lift's angle with the estimator's)"));
        if (m.Disentanglement is { } d) parts.Add(d.Describe());
        if (m.Truth is { } tr)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"exact: against the world's exact truth on {tr.Samples} teacher samples at ψ 1 (angles: mean absolute error; SIDE, MAD of the view-space depth on the true foreground; distinctiveness: correlation of between-face canonical depth differences")
                + (tr.SideRatio is null ? ")" : "; / supervised: the lift's SIDE and MAD over those of the same networks trained on the exact truth)"));
        if (m.Identity is { } i)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"identity cos: mean cosine to the frontal rendering over yaws {string.Join(", ", i.YawDegrees.Where(y => y != 0))}°, {i.Faces} faces"));
        return string.Join("\n", parts.Select(p => "- " + p));
    }

    /// <summary>Writes report.md, report.csv and plots/COLUMN.png and .svg (one labelled point per row in table order; values in the CSV).</summary>
    public static void WriteComparison(string folder, string title, IReadOnlyList<ModelMetrics> rows, IReadOnlyDictionary<string, string>? labels, string notes)
    {
        if (rows.Count == 0) throw new EvaluationException(folder, "no models to report");
        Directory.CreateDirectory(Path.Combine(folder, "plots"));
        var md = new StringBuilder($"# {title}\n\n").Append(ComparisonMarkdown(rows, labels)).Append('\n').Append(notes).Append('\n');
        md.Append("\nPlots (`plots/COLUMN.png` and `.svg`, one point per row in table order; values in `report.csv`).\n");
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.md"), Encoding.UTF8.GetBytes(md.ToString()));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.csv"), Encoding.UTF8.GetBytes(ComparisonCsv(rows)));
        foreach (var c in Columns)
        {
            var y = rows.Select(c.Value).ToArray();
            if (y.Any(v => !double.IsFinite(v))) continue;
            var names = rows.Select(m => labels is not null && labels.TryGetValue(m.Name, out var l) ? l : m.Name).ToList();
            Plotting.Chart.Save(Path.Combine(folder, "plots", c.Column + ".png"), c.Header, "run", c.Header,
                [new Plotting.ChartSeries(c.Column, Enumerable.Range(0, y.Length).Select(i => (double)i).ToArray(), y, Markers: true)], categories: names);
        }
    }

    /// <summary>The exact-truth section: every method of <see cref="ExactTruthProtocol"/> on the same samples.</summary>
    public static string TruthMarkdown(ExactTruthResult r)
    {
        static string A(AngleStats? a) => a is null ? "–" : $"{F(a.MeanAbs)} / {F(a.MedianAbs)}";
        var sb = new StringBuilder("\n## 3D accuracy against exact truth\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"{r.Samples} teacher samples at ψ 1 (seed {r.Seed}), each scored against the world's render of its latent, whose depth and view are exact. ")
          .Append(CultureInfo.InvariantCulture, $"The teacher's own mean L1 to those renders is {F(r.TeacherFitL1)} ([-1, 1] units; the world's mean image scores {F(r.MeanImageL1)}): the part of every error below that the truth inherits from the teacher.\n\n");
        sb.Append("| method | yaw (°) mean / median ↓ | pitch (°) ↓ | roll (°) ↓ | SIDE ↓ | MAD (°) ↓ | z-scored depth ↓ |\n|---|---|---|---|---|---|---|\n");
        foreach (var m in r.Methods)
            sb.Append(CultureInfo.InvariantCulture, $"| {m.Method} | {A(m.Yaw)} | {A(m.Pitch)} | {A(m.Roll)} | {F(m.Side)} | {F(m.Mad)} | {F(m.NormalizedDepth)} |\n");
        sb.Append(CultureInfo.InvariantCulture, $"\nThe lift's canonical depth correlates with the true canonical depth at r = {F(r.CanonicalCorrelation)} per face (mean); its distinctiveness ")
          .Append(CultureInfo.InvariantCulture, $"(correlation of the between-face depth differences with the true ones, 0 for one shape for all) is {F(r.Distinctiveness)}. ");
        if (r.SideRatio is { } side && r.MadRatio is { } mad)
            sb.Append(CultureInfo.InvariantCulture, $"`{ExactTruthProtocol.Supervised}` is the lift's own networks and sizes trained by direct supervision on the exact truth ")
              .Append(CultureInfo.InvariantCulture, $"(the lift's supervised-truth objective; r = {F(r.SupervisedCanonicalCorrelation ?? double.NaN)}, distinctiveness {F(r.SupervisedDistinctiveness ?? double.NaN)}); ")
              .Append(CultureInfo.InvariantCulture, $"the lift's SIDE is {F(side)}× and its MAD {F(mad)}× the reference's. ");
        sb.Append("`estimator` is the separate pose-and-depth network (its own architecture, on the teacher's image) trained on the world's truth; `mean shape at the true pose` is what a lift without per-face shape would score with perfect angles; ")
          .Append("`constant answer` predicts 0° and a flat plane; `constant template` gives every image the world's mean canonical depth at the world's mean pose (one answer for all, scored like a method).\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Against the goals for the embedded default's lift (`{r.Subject.Method}`):\n\n")
          .Append("| goal | measured | met | distance |\n|---|---|---|---|\n");
        foreach (var (t, value, met) in r.AgainstTargets())
        {
            string goal = $"{t.Metric} {(t.AtMost ? "≤" : "≥")} {F(t.Bound)}{t.Unit}";
            string distance = value is not { } v ? "not measured (no supervised reference)"
                : met ? "–"
                : t.AtMost ? $"{F(v - t.Bound)}{t.Unit} above ({F(v / t.Bound)}× the bound)"
                : $"{F(t.Bound - v)} below ({F(v / t.Bound)}× the bound)";
            sb.Append(CultureInfo.InvariantCulture, $"| {goal} | {(value is { } x ? F(x) + t.Unit : "–")} | {(value is null ? "–" : met ? "yes" : "no")} | {distance} |\n");
        }
        sb.Append('\n');
        sb.Append("Mean signed error (bias) and mean absolute error once the bias is removed (an unsupervised lift fixes its frontal pose only up to a constant offset; ")
          .Append("the constant answer's centred error is the spread of the truth):\n\n")
          .Append("| method | yaw bias / centred (°) | pitch bias / centred (°) | roll bias / centred (°) |\n|---|---|---|---|\n");
        static string B(AngleStats? a) => a is null ? "–" : $"{F(a.Bias)} / {F(a.CentredMeanAbs)}";
        foreach (var m in r.Methods.Where(m => m.Yaw is not null))
            sb.Append(CultureInfo.InvariantCulture, $"| {m.Method} | {B(m.Yaw)} | {B(m.Pitch)} | {B(m.Roll)} |\n");
        sb.Append("\nGain: the least-squares slope of the predicted angle on the true one (1 turns as far as the truth, 0.5 half as far):\n\n")
          .Append("| method | yaw gain | pitch gain | roll gain |\n|---|---|---|---|\n");
        foreach (var m in r.Methods.Where(m => m.Yaw is not null && double.IsFinite(m.Yaw.Gain)))
            sb.Append(CultureInfo.InvariantCulture, $"| {m.Method} | {F(m.Yaw!.Gain)} | {F(m.Pitch!.Gain)} | {F(m.Roll!.Gain)} |\n");
        if (r.ComposerYawGain is { } turn)
            sb.Append(CultureInfo.InvariantCulture, $"\nComposer turn: asked for ±{ExactTruthProtocol.ComposerTurnDegrees:F0}° of yaw, the lift's style composer turns the teacher's face by {F(turn)}× that angle ")
              .Append("(the estimator's reading of G(M(w, L, V′)), divided by the estimator's own yaw gain); LiftedGAN's perturbation branch needs it near 1.\n");
        if (r.CanonicalPose is { } cp)
            sb.Append(CultureInfo.InvariantCulture, $"\nCanonical image pose (the estimator's reading of G(M(w, L0, 0)), yaw / pitch / roll): mean |angle| {F(cp.MeanAbs[0])}° / {F(cp.MeanAbs[1])}° / {F(cp.MeanAbs[2])}° ")
              .Append(CultureInfo.InvariantCulture, $"(on the teacher's images they come from: {F(cp.SourceMeanAbs[0])}° / {F(cp.SourceMeanAbs[1])}° / {F(cp.SourceMeanAbs[2])}°); ")
              .Append(CultureInfo.InvariantCulture, $"slope on the source's true angle {F(cp.SlopeOnTruth[0])} / {F(cp.SlopeOnTruth[1])} / {F(cp.SlopeOnTruth[2])} (0: the canonical face is frontal whatever the source's pose).\n");
        return sb.ToString();
    }

    /// <summary>
    /// The full report of one model: every metric with its sample counts, the estimator's own error against exact
    /// truth (the noise floor of the Table-2 columns), DS per factor, identity per yaw, and optionally an embedded
    /// ablation table.
    /// </summary>
    public static string ModelMarkdown(ModelMetrics m, string teacher, GeometryErrors? estimatorError, string? estimatorPath, string command, string? ablationMarkdown)
    {
        var sb = new StringBuilder("# Results\n\n");
        sb.Append("Produced by one command; every number below was computed by it:\n\n```sh\n").Append(command).Append("\n```\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- lift: `{m.Checkpoint}` ({m.Steps} steps)\n- teacher: `{teacher}`\n");
        if (estimatorPath is not null) sb.Append(CultureInfo.InvariantCulture, $"- pseudo-ground-truth estimator: `{estimatorPath}`\n");
        sb.Append("\n## Summary\n\n").Append(ComparisonMarkdown(new[] { m })).Append('\n');
        if (m.Fid is { } f)
        {
            sb.Append("\n## Image quality\n\n");
            sb.Append(CultureInfo.InvariantCulture, $"| metric | value | samples |\n|---|---|---|\n| {f.FidLabel} | {F(f.Fid)} | {f.CountA} vs {f.CountB} |\n");
            if (f.KidMean is { } k) sb.Append(CultureInfo.InvariantCulture, $"| {f.KidLabel} | {F(k)} ± {F(f.KidStd!.Value)} | {f.CountA} vs {f.CountB} |\n");
            if (f.FidLabel != "FID")
                sb.Append("\n`").Append(f.FidLabel).Append("` uses a substitute feature network (the FID Inception architecture with fixed hashed weights, ")
                  .Append("or torchvision's Inception): it ranks this project's models against each other and is **not** comparable to published FIDs.\n");
            foreach (var w in f.Warnings) sb.Append("\n- warning: ").Append(w);
            sb.Append('\n');
        }
        if (m.Table2 is { } t)
        {
            sb.Append("\n## 3D accuracy (Table-2 protocol)\n\n| | samples | depth ↓ | yaw (°) ↓ | pitch (°) ↓ | roll (°) ↓ |\n|---|---|---|---|---|---|\n");
            sb.Append(CultureInfo.InvariantCulture, $"| lift vs estimator on teacher images | {t.Samples} | {F(t.DepthError)} | {F(t.YawError)} | {F(t.PitchError)} | {F(t.RollError)} |\n");
            sb.Append(CultureInfo.InvariantCulture, $"| Pearson r of the lift's angles with the estimator's (↑) | {t.Samples} | | {F(t.YawCorrelation)} | {F(t.PitchCorrelation)} | {F(t.RollCorrelation)} |\n");
            sb.Append(CultureInfo.InvariantCulture, $"| spread of the estimator's angles on the teacher images (std, °) | {t.Samples} | | {F(t.ReferenceYawStd)} | {F(t.ReferencePitchStd)} | |\n");
            if (estimatorError is { } e)
                sb.Append(CultureInfo.InvariantCulture, $"| estimator vs exact truth (held-out procedural images; noise floor) | {e.Images} | {F(e.NormalizedDepth)} | {F(e.YawError)} | {F(e.PitchError)} | {F(e.RollError)} |\n")
                  .Append(CultureInfo.InvariantCulture, $"| Pearson r of the estimator's angles with exact truth (same images; ceiling of the r row above) | {e.Images} | | {F(e.YawCorrelation)} | {F(e.PitchCorrelation)} | {F(e.RollCorrelation)} |\n")
                  .Append(CultureInfo.InvariantCulture, $"\nThe estimator's own SIDE on those images is {F(e.Side)} and its MAD {F(e.Mad)}°. Its angle errors there are absolute (not mean-centred). ")
                  .Append("Differences between lifts smaller than the noise-floor row are not resolved by this estimator.\n");
        }
        if (m.Truth is { } truth) sb.Append(TruthMarkdown(truth));
        if (m.Disentanglement is { } d)
            sb.Append("\n## Disentanglement score\n\n").Append(d.ToMarkdown())
              .Append("\nFactors are re-estimated from the images: yaw and pitch by the estimator, light as a face-frame direction (first-order spherical-harmonic fit to the estimator's normals), identity by the face embedding. ")
              .Append("This is an adaptation of DiscoFaceGAN's score to the controls LiftedGAN has (view and light); the numbers are not comparable to the 3DMM-based values in DiscoFaceGAN or Tax-free.\n");
        if (m.Identity is { } i) sb.Append(IdentityMarkdown(i, m.IdentityFlat, m.IdentityWorld));
        if (ablationMarkdown is not null) sb.Append("\n## Ablations\n\n").Append(ablationMarkdown).Append('\n');
        return sb.ToString();
    }

    /// <summary>The identity-versus-yaw table: the lift beside its texture on a flat card and the exact world, with the chance level.</summary>
    static string IdentityMarkdown(IdentityYawResult lift, IdentityYawResult? flat, IdentityYawResult? world)
    {
        var sb = new StringBuilder("\n## Identity versus yaw\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Cosine of the face embedding between each face's frontal rendering and its rendering at each yaw ({lift.Faces} faces; mean ± std over faces). ")
          .Append("`flat card`: the lift's own frontal image on a plane at the rotation centre, rotated the same way (the constant-shape answer); ")
          .Append("`exact world`: the procedural world's own faces rendered at those yaws (what a perfect 3D keeps under this embedding); ")
          .Append("`different faces`: the mean cosine between the frontal renderings of different faces (chance).\n\n")
          .Append("| yaw (°) | lift | flat card | exact world |\n|---|---|---|---|\n");
        static string Cell(IdentityYawResult? r, int j) => r is null || j >= r.YawDegrees.Count ? "–" : $"{F(r.Mean[j])} ± {F(r.Std[j])}";
        for (int j = 0; j < lift.YawDegrees.Count; j++)
            sb.Append(CultureInfo.InvariantCulture, $"| {lift.YawDegrees[j]} | {Cell(lift, j)} | {Cell(flat, j)} | {Cell(world, j)} |\n");
        static string Chance(IdentityYawResult? r) => r is null || double.IsNaN(r.DifferentFaces) ? "–" : F(r.DifferentFaces);
        sb.Append(CultureInfo.InvariantCulture, $"| different faces | {Chance(lift)} | {Chance(flat)} | {Chance(world)} |\n");
        return sb.ToString();
    }
}
