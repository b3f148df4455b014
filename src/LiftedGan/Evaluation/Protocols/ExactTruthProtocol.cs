using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Error statistics of one angle over a set, in degrees: mean and median absolute error, and the mean signed error.</summary>
public sealed record AngleStats(double MeanAbs, double MedianAbs, double Bias)
{
    /// <summary>
    /// Mean absolute error after subtracting <see cref="Bias"/>: what remains when a constant offset of the method's
    /// canonical frame is forgiven (an unsupervised lift fixes its frontal pose only up to such an offset; symmetry pins
    /// yaw and roll, nothing pins pitch). A constant answer scores the spread of the truth here.
    /// </summary>
    public double CentredMeanAbs { get; init; } = double.NaN;

    /// <summary>
    /// Least-squares slope of the predicted angle on the true angle (1: turns as far as the truth; 0.5: half as far), NaN
    /// without the true angles. A method can have a small error and a gain far from 1 only where the truth varies little.
    /// </summary>
    public double Gain { get; init; } = double.NaN;

    /// <summary>Statistics of signed errors (prediction − truth), with the gain when <paramref name="truth"/> is given.</summary>
    public static AngleStats Of(IReadOnlyList<double> signed, IReadOnlyList<double>? truth = null)
    {
        if (signed.Count == 0) return new AngleStats(double.NaN, double.NaN, double.NaN);
        var abs = signed.Select(Math.Abs).OrderBy(v => v).ToArray();
        double median = abs.Length % 2 == 1 ? abs[abs.Length / 2] : (abs[abs.Length / 2 - 1] + abs[abs.Length / 2]) / 2;
        double bias = signed.Average();
        return new AngleStats(abs.Average(), median, bias)
        {
            CentredMeanAbs = signed.Average(v => Math.Abs(v - bias)),
            Gain = truth is null || truth.Count != signed.Count ? double.NaN : Slope(signed.Zip(truth, (e, t) => e + t).ToList(), truth),
        };
    }

    /// <summary>Least-squares slope of <paramref name="y"/> on <paramref name="x"/> (NaN when x is constant).</summary>
    public static double Slope(IReadOnlyList<double> y, IReadOnlyList<double> x)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxx > 0 ? sxy / sxx : double.NaN;
    }
}

/// <summary>
/// One method's errors against exact truth: pitch, yaw and roll (null where the method gives no angles); SIDE (raw,
/// not ×10²), MAD (degrees) and the z-scored depth error of its view-space depth on the one-pixel-eroded overlap of its
/// mask and the true foreground (NaN where it gives no depth; means over images with a non-empty overlap); and on the
/// same overlap the relief amplitude (<see cref="DepthMetrics.ReliefRatio"/>: 1 is the true depth of relief).
/// </summary>
public sealed record TruthScores(string Method, AngleStats? Pitch, AngleStats? Yaw, AngleStats? Roll, double Side, double Mad,
    double NormalizedDepth, int EmptyOverlap, double Relief = double.NaN);

/// <summary>
/// A method's canonical depth against the true canonical depth: the mean per-face Pearson correlation and the
/// distinctiveness (see <see cref="ExactTruthProtocol"/>).
/// </summary>
public sealed record CanonicalScores(double Correlation, double Distinctiveness);

/// <summary>
/// How frontal a lift's canonical images G(M(w, L0, 0)) are, in the pose estimator's reading, per axis (yaw, pitch,
/// roll, degrees): mean |angle| on the canonical images and on the teacher's images they come from, and the slope of
/// the canonical angle on the source's true angle (0: the canonical faces are frontal whatever the source's pose; the
/// estimator's own gain: they keep the source's pose). A canonical face that keeps its source's pose makes the lift
/// explain the pose by the canonical image instead of its view.
/// </summary>
public sealed record CanonicalPose(double[] MeanAbs, double[] SourceMeanAbs, double[] SlopeOnTruth);

/// <summary>
/// A lift scored against exact truth (<see cref="ExactTruthProtocol"/>): every method on the same samples, the
/// teacher's own fit to the world (how far its images are from the world renders the truth belongs to), the mean
/// per-face correlation of the lift's canonical depth with the true canonical depth, and its distinctiveness.
/// </summary>
public sealed record ExactTruthResult(int Samples, long Seed, double TeacherFitL1, IReadOnlyList<TruthScores> Methods,
    double CanonicalCorrelation, double Distinctiveness)
{
    /// <summary>
    /// The trivial baseline of <see cref="TeacherFitL1"/>: the mean L1 of one constant image (the world's mean image,
    /// 256 faces of another seed) to the same renders. A teacher near it has learnt nothing per face.
    /// </summary>
    public double MeanImageL1 { get; init; }

    /// <summary>The scores of <paramref name="method"/>, or null.</summary>
    public TruthScores? this[string method] => Methods.FirstOrDefault(m => m.Method == method);

    /// <summary>
    /// Whether the lift's style composer turns faces (LiftedGAN's perturbation branch needs it): the estimator's yaw on
    /// G(M(w, L, V')) at V' yaw +30° minus at −30°, over 60°, divided by the estimator's own yaw gain on the teacher's
    /// images (it reads true turns at that fraction). 1: the composer turns the teacher's face by the angle asked (in
    /// the world's degrees); 0: it ignores the view. Null without an estimator.
    /// </summary>
    public double? ComposerYawGain { get; init; }

    /// <summary>The lift's canonical images' pose in the estimator's reading; null without an estimator.</summary>
    public CanonicalPose? CanonicalPose { get; init; }

    /// <summary>
    /// Canonical-depth scores of every method that gives a canonical depth (the scored subjects and
    /// <see cref="ExactTruthProtocol.ConstantTemplate"/>), by method name.
    /// </summary>
    public IReadOnlyDictionary<string, CanonicalScores> Canonical { get; init; } = new Dictionary<string, CanonicalScores>();

    /// <summary>Canonical depth correlation of the supervised reference (<see cref="ExactTruthProtocol.Supervised"/>), or null without one.</summary>
    public double? SupervisedCanonicalCorrelation { get; init; }

    /// <summary>Distinctiveness of the supervised reference, or null without one.</summary>
    public double? SupervisedDistinctiveness { get; init; }

    /// <summary>The lift's SIDE over the supervised reference's (issue #15 asks for at most 1.5), or null without one.</summary>
    public double? SideRatio => Ratio(m => m.Side);

    /// <summary>The lift's MAD over the supervised reference's, or null without one.</summary>
    public double? MadRatio => Ratio(m => m.Mad);

    /// <summary>The scored method's own scores (the first row: the lift, or a baseline such as Unsup3d).</summary>
    public TruthScores Subject => Methods[0];

    double? Ratio(Func<TruthScores, double> value) =>
        this[ExactTruthProtocol.Supervised] is { } reference ? value(Subject) / value(reference) : null;

    /// <summary>
    /// The scored method against each of <see cref="TruthTarget.Goals"/>: its value (null where the result cannot give
    /// it, e.g. the ratios without the supervised reference) and whether the goal is met.
    /// </summary>
    public IReadOnlyList<(TruthTarget Target, double? Value, bool Met)> AgainstTargets() => TruthTarget.Goals.Select(t =>
    {
        double? value = t.Metric switch
        {
            TruthTarget.Yaw => Subject.Yaw?.MeanAbs,
            TruthTarget.Pitch => Subject.Pitch?.MeanAbs,
            TruthTarget.Roll => Subject.Roll?.MeanAbs,
            TruthTarget.SideRatio => SideRatio,
            TruthTarget.MadRatio => MadRatio,
            _ => Distinctiveness,
        };
        return (t, value, value is { } v && (t.AtMost ? v <= t.Bound : v >= t.Bound));
    }).ToList();
}

/// <summary>
/// A goal for a lift scored on exact truth: the metric, its bound and whether it is an upper (at most) or lower bound.
/// <see cref="Goals"/> are the goals of the project's core-result issue for the embedded default.
/// </summary>
public sealed record TruthTarget(string Metric, double Bound, bool AtMost, string Unit)
{
    public const string Yaw = "yaw error", Pitch = "pitch error", Roll = "roll error", SideRatio = "SIDE / supervised",
        MadRatio = "MAD / supervised", Distinctiveness = "distinctiveness";

    /// <summary>Mean absolute yaw ≤ 3°, pitch ≤ 5°, roll ≤ 2°; SIDE and MAD within 1.5× the supervised reference; distinctiveness ≥ 0.5.</summary>
    public static IReadOnlyList<TruthTarget> Goals { get; } =
    [
        new(Yaw, 3, true, "°"), new(Pitch, 5, true, "°"), new(Roll, 2, true, "°"),
        new(SideRatio, 1.5, true, "×"), new(MadRatio, 1.5, true, "×"), new(Distinctiveness, 0.5, false, ""),
    ];
}

/// <summary>
/// Exact-truth evaluation of a lift on a world-fit teacher (a StyleGAN2 trained with the world-fit objective): for latents
/// z ~ N(0, I) from the seed, the teacher's image at truncation 1 is scored against the world's render of
/// <see cref="LatentFaces"/>(z), whose depth, view and masks are exact. Truncated samples have no exact truth (the map is
/// defined on z, truncation moves w), so this protocol uses ψ = 1 only.
/// <para>Methods on the same samples:</para>
/// <list type="bullet">
/// <item><c>lift</c>: its canonical depth rendered at its predicted view (valid: covered and nearer than the border
/// depth − 0.01), its predicted angles (raw view × 60°).</item>
/// <item><c>supervised (same networks)</c> (optional): a lift trained with the supervised-truth objective (the
/// lift's own networks and sizes fitted to exact truth), scored by the same code as the lift; the result's
/// <see cref="ExactTruthResult.SideRatio"/> and <see cref="ExactTruthResult.MadRatio"/> compare the two.</item>
/// <item><c>estimator</c> (optional): the supervised pose-and-depth estimator trained on the world's truth, on the
/// teacher's image: the reference a lift is compared with.</item>
/// <item><c>mean shape at the true pose</c>: the world's mean canonical depth (256 faces of another seed) rendered at
/// each sample's true view. A lift that learnt no per-face shape scores about this; it has no angles of its own.</item>
/// <item><c>constant answer</c>: angles 0° (the world's mean pose) and a flat plane at depth 1 on the true mask.</item>
/// <item><c>constant template</c>: one answer for every image, scored like a method: the world's mean canonical depth
/// (256 faces of another seed) rendered at the world's mean pose (the mean raw view of the same faces), those angles,
/// and that canonical depth for every face (distinctiveness 0). Its texture, for renders, is the teacher's image.</item>
/// </list>
/// <para>
/// Canonical correlation: per face, the Pearson correlation of the lift's canonical depth with the true canonical depth
/// on the true foreground, averaged. Distinctiveness: on the pixels that are foreground in every true canonical map,
/// each face's depth minus its own mean and then minus the mean over faces (what makes a face differ from the others);
/// the Pearson correlation of the lift's residuals with the true ones over all faces and pixels (0 when every face
/// gets the same depth, 1 when the between-face differences are reproduced up to scale).
/// </para>
/// </summary>
public static class ExactTruthProtocol
{
    /// <summary>Method names in result order.</summary>
    public const string Lift = "lift", Supervised = "supervised (same networks)", Estimator = "estimator",
        MeanShape = "mean shape at the true pose", Constant = "constant answer", ConstantTemplate = "constant template";

    /// <summary>
    /// Scores <paramref name="model"/> on <paramref name="count"/> samples from <paramref name="seed"/> in batches of
    /// <paramref name="batch"/>, beside the optional <paramref name="supervised"/> reference (see
    /// <see cref="CheckSupervised"/>) and <paramref name="estimator"/>.
    /// </summary>
    public static ExactTruthResult Evaluate(LiftedGenerator model, PoseDepthEstimator? estimator, int count, long seed, int batch = 8,
        LiftedGenerator? supervised = null)
    {
        if (supervised is not null) CheckSupervised(model, supervised);
        return Evaluate(model.Teacher, new LiftTruthSubject(model), estimator, count, seed, batch,
            supervised is null ? null : new LiftTruthSubject(supervised, Supervised),
            estimator is null ? null : w => ComposerTurn(model, estimator, w),
            estimator is null ? null : w => CanonicalAngles(model, estimator, w));
    }

    /// <summary>
    /// Scores any <paramref name="subject"/> (a lift, or a baseline that reads the teacher's images) on samples of
    /// <paramref name="teacher"/>, beside the optional <paramref name="supervised"/> reference (already checked by the
    /// caller: a supervised-truth lift of the same teacher) and <paramref name="estimator"/>; <paramref name="composerTurn"/>
    /// (a lift's, given the batch's styles) fills <see cref="ExactTruthResult.ComposerYawGain"/>.
    /// </summary>
    public static ExactTruthResult Evaluate(StyleGenerator teacher, ITruthSubject subject, PoseDepthEstimator? estimator, int count, long seed,
        int batch = 8, ITruthSubject? supervised = null, Func<Tensor, double>? composerTurn = null, Func<Tensor, Tensor>? canonicalAngles = null)
    {
        if (supervised is not null && supervised.Method != Supervised)
            throw new EvaluationException(supervised.Method, $"the supervised reference must be named '{Supervised}'");
        return Score(teacher, supervised is null ? [subject] : [subject, supervised], estimator, count, seed, batch, composerTurn, null, canonicalAngles);
    }

    /// <summary>
    /// Scores several <paramref name="subjects"/> (distinct method names; the first is the result's
    /// <see cref="ExactTruthResult.Subject"/>) on the same <paramref name="count"/> samples of <paramref name="teacher"/>
    /// from <paramref name="seed"/>, beside the trivial baselines; every subject's and the constant template's
    /// canonical scores are in <see cref="ExactTruthResult.Canonical"/>. <paramref name="observe"/> sees every method's
    /// prediction of each batch (the constant template's too) before it is disposed.
    /// </summary>
    public static ExactTruthResult Compare(StyleGenerator teacher, IReadOnlyList<ITruthSubject> subjects, int count, long seed, int batch = 8,
        Action<TruthPrediction, string>? observe = null)
    {
        if (subjects.Count == 0) throw new EvaluationException("subjects", "no method to score");
        return Score(teacher, subjects, null, count, seed, batch, null, observe);
    }

    static ExactTruthResult Score(StyleGenerator teacher, IReadOnlyList<ITruthSubject> subjects, PoseDepthEstimator? estimator, int count, long seed,
        int batch, Func<Tensor, double>? composerTurn, Action<TruthPrediction, string>? observe, Func<Tensor, Tensor>? canonicalAngles = null)
    {
        if (count < 2) throw new EvaluationException("count", $"{count}: need at least 2 samples");
        if (batch < 1) throw new EvaluationException("batch", $"{batch}: must be at least 1");
        int size = teacher.Config.Size, dim = teacher.Config.StyleDim;
        foreach (var subject in subjects)
            if (subject.ImageSize != size)
                throw new EvaluationException(subject.Method, $"works at {subject.ImageSize} px, the teacher at {size} px");
        var reserved = new[] { Estimator, MeanShape, Constant, ConstantTemplate };
        var names = subjects.Select(s => s.Method).ToList();
        if (names.Distinct().Count() != names.Count || names.Any(reserved.Contains))
            throw new EvaluationException("subjects", $"method names must be distinct and not a baseline's: {string.Join(", ", names)}");
        if (dim < LatentFaces.MinimumDimension)
            throw new EvaluationException("teacher", $"latent size {dim} is below the world map's {LatentFaces.MinimumDimension}: not a world-fit teacher");
        if (!FaceModel.Sizes.Contains(size))
            throw new EvaluationException("teacher", $"{size} px: the face world renders at {string.Join(", ", FaceModel.Sizes)} px only");
        var renderer = FaceWorld.Renderer(size);
        using var meanShape = MeanCanonicalShape(size, seed + 7919, out var meanImage, out var meanRawView);
        using var meanImageDisposer = meanImage;
        using var meanViewDisposer = meanRawView;
        var template = new ConstantTemplateSubject(meanShape, meanRawView, renderer);
        var scored = subjects.Append(template).ToList();
        var methods = new List<string>(names);
        if (estimator is not null) methods.Add(Estimator);
        methods.Add(MeanShape);
        methods.Add(Constant);
        methods.Add(ConstantTemplate);
        var acc = methods.ToDictionary(m => m, _ => new Accumulator());
        var canonical = scored.ToDictionary(s => s.Method, _ => new CanonicalAccumulator());
        var trueCanonical = new List<Tensor>();
        var trueCanonicalMask = new List<Tensor>();
        double fitSum = 0, meanImageSum = 0;
        var turns = new List<double>();
        var poseRows = new List<(float[] Canonical, float[] Source, float[] Truth)>();
        try
        {
            LatentBatches.Run(seed, count, batch, dim, z =>
            {
                int n = (int)z.shape[0];
                using var truth = LatentFaces.Truth(z, size);
                var w = teacher.Map(z);
                var image = teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
                fitSum += (image.clamp(-1, 1) - truth.Images).abs().mean().item<float>() * n;
                meanImageSum += (meanImage - truth.Images).abs().mean().item<float>() * n;
                var trueMask = truth.RenderedMask.gt(0.5).to(ScalarType.Float32);
                var trueAngles = truth.View[.., ..3] * (180 / Math.PI);

                var canonicalMask = truth.Mask.gt(0.5).to(ScalarType.Float32);
                var clamped = image.clamp(-1, 1);
                foreach (var subject in scored)
                    Score(subject, w, clamped, acc[subject.Method], canonical[subject.Method], renderer, truth, trueMask, trueAngles, canonicalMask, observe);

                if (estimator is not null)
                {
                    var input = estimator.InputSize == size ? clamped
                        : nn.functional.adaptive_avg_pool2d(clamped, [estimator.InputSize, estimator.InputSize]);
                    using var p = PoseDepthTraining.Predict(estimator, input);
                    var depth = p.Depth.shape[1] == size ? p.Depth
                        : nn.functional.interpolate(p.Depth.unsqueeze(1), [size, size], mode: InterpolationMode.Bilinear).squeeze(1);
                    var mask = p.Mask.shape[1] == size ? p.Mask
                        : nn.functional.interpolate(p.Mask.unsqueeze(1), [size, size], mode: InterpolationMode.Nearest).squeeze(1);
                    acc[Estimator].Add(renderer, depth, mask, p.Angles, truth.RenderedDepth, trueMask, trueAngles);
                    if (composerTurn is not null) turns.Add(composerTurn(w));
                    if (canonicalAngles is not null)
                    {
                        using var angles = canonicalAngles(w);
                        var (c, src, tru) = (angles.cpu().data<float>().ToArray(), p.Angles.cpu().data<float>().ToArray(), trueAngles.cpu().data<float>().ToArray());
                        for (int i = 0; i < n; i++) poseRows.Add((c[(3 * i)..(3 * i + 3)], src[(3 * i)..(3 * i + 3)], tru[(3 * i)..(3 * i + 3)]));
                    }
                }

                using (var mean = renderer.Render(meanShape.Depth.expand(n, -1, -1), zeros(n, 1, size, size),
                           ViewTransform.ScaleRawView(truth.RawView), meanShape.TransformMap.expand(n, -1, -1, -1)))
                    acc[MeanShape].Add(renderer, mean.Depth, mean.Mask.squeeze(1).gt(0.5).to(ScalarType.Float32), null, truth.RenderedDepth, trueMask, trueAngles);
                acc[Constant].Add(renderer, ones_like(truth.RenderedDepth), trueMask, zeros_like(trueAngles), truth.RenderedDepth, trueMask, trueAngles);

                trueCanonical.Add(truth.CanonicalDepth.detach().cpu().clone().DetachFromDisposeScope());
                trueCanonicalMask.Add(canonicalMask.cpu().clone().DetachFromDisposeScope());
            });
            var canonicalScores = canonical.ToDictionary(kv => kv.Key, kv =>
            {
                var (r, d) = kv.Value.Result(trueCanonical, trueCanonicalMask);
                return new CanonicalScores(r, d);
            });
            var first = canonicalScores[names[0]];
            var reference = canonicalScores.GetValueOrDefault(Supervised);
            var scores = methods.Select(m => acc[m].Result(m)).ToList();
            double? estimatorGain = scores.FirstOrDefault(m => m.Method == Estimator)?.Yaw?.Gain;
            return new ExactTruthResult(count, seed, fitSum / count, scores, first.Correlation, first.Distinctiveness)
            {
                SupervisedCanonicalCorrelation = reference?.Correlation, SupervisedDistinctiveness = reference?.Distinctiveness,
                MeanImageL1 = meanImageSum / count,
                ComposerYawGain = estimatorGain is { } g && turns.Count > 0 ? turns.Average() / g : null,
                CanonicalPose = poseRows.Count > 1 ? PoseOf(poseRows) : null,
                Canonical = canonicalScores,
            };
        }
        finally
        {
            foreach (var c in canonical.Values) c.Dispose();
            foreach (var t in trueCanonical.Concat(trueCanonicalMask)) t.Dispose();
        }
    }

    /// <summary>
    /// The constant template (<see cref="ConstantTemplate"/>): the world's mean canonical depth at the world's mean pose
    /// for every image; the teacher's image is its texture (for renders only).
    /// </summary>
    sealed class ConstantTemplateSubject(CanonicalFace mean, Tensor meanRawView, DepthMapRenderer renderer) : ITruthSubject
    {
        public string Method => ConstantTemplate;
        public int ImageSize => (int)mean.Depth.shape[1];

        public TruthPrediction Predict(Tensor w, Tensor image)
        {
            using var scope = NewDisposeScope();
            long n = image.shape[0];
            var depth = mean.Depth.expand(n, -1, -1).contiguous();
            var raw = meanRawView.expand(n, -1).contiguous();
            var view = ViewTransform.ScaleRawView(raw);
            using var render = renderer.Render(depth, image, view, mean.TransformMap.expand(n, -1, -1, -1));
            var valid = render.Mask.squeeze(1).gt(0.5).to(ScalarType.Float32);
            return new TruthPrediction(depth, render.Depth.alias(), valid, view[.., ..3] * (180 / Math.PI))
            {
                CanonicalImage = image.alias(), RawView = raw, Renderer = renderer,
            }.MoveToOuter();
        }
    }

    /// <summary>
    /// Throws <see cref="EvaluationException"/> unless <paramref name="supervised"/> is a supervised-truth lift with the
    /// networks of <paramref name="model"/> (image size, style size, MLP width, depth seed, decoder channels) on the
    /// same teacher (equal weights and buffers).
    /// </summary>
    public static void CheckSupervised(LiftedGenerator model, LiftedGenerator supervised)
    {
        const string What = "supervised reference";
        if (supervised.Config.Objective != LiftingObjective.SupervisedTruth)
            throw new EvaluationException(What, $"its config says objective {supervised.Config.Objective.Name()}; train it with the supervised-truth objective");
        var (a, b) = (model.Config, supervised.Config);
        if (a.ImageSize != b.ImageSize || a.StyleDim != b.StyleDim || a.MlpHidden != b.MlpHidden || a.DepthSeedDim != b.DepthSeedDim
            || a.DecoderBaseChannels != b.DecoderBaseChannels)
            throw new EvaluationException(What, $"its networks ({Sizes(b)}) are not the lift's ({Sizes(a)}): not a reference of the same size");
        CheckSupervisedTeacher(model.Teacher, supervised);
    }

    /// <summary>
    /// Throws <see cref="EvaluationException"/> unless <paramref name="supervised"/> is a supervised-truth lift on
    /// <paramref name="teacher"/> (equal weights and buffers): the reference of a method that is not a lift.
    /// </summary>
    public static void CheckSupervisedTeacher(StyleGenerator teacher, LiftedGenerator supervised)
    {
        const string What = "supervised reference";
        if (supervised.Config.Objective != LiftingObjective.SupervisedTruth)
            throw new EvaluationException(What, $"its config says objective {supervised.Config.Objective.Name()}; train it with the supervised-truth objective");
        using var scope = NewDisposeScope();
        var mine = teacher.state_dict();
        var other = supervised.Teacher.state_dict();
        if (mine.Count != other.Count || mine.Any(kv => !other.TryGetValue(kv.Key, out var t) || !t.shape.SequenceEqual(kv.Value.shape) || !t.eq(kv.Value).all().item<bool>()))
            throw new EvaluationException(What, "its teacher is not the scored model's: both must be scored on the same teacher");
    }

    static string Sizes(LiftingConfig c) =>
        $"{c.ImageSize} px, style {c.StyleDim}, MLP {c.MlpHidden}, depth seed {c.DepthSeedDim}, decoder channels {c.DecoderBaseChannels}";

    /// <summary>The estimator's angles (B×3, degrees: pitch, yaw, roll) on the lift's canonical images G(M(w, L0, 0)).</summary>
    static Tensor CanonicalAngles(LiftedGenerator model, PoseDepthEstimator estimator, Tensor w)
    {
        using var scope = NewDisposeScope();
        var (light, _) = model.Decomposer.forward(w);
        var image = model.Synthesize(model.NeutralStyle(w, light)).Image.clamp(-1, 1);
        var input = estimator.InputSize == image.shape[2] ? image : nn.functional.adaptive_avg_pool2d(image, [estimator.InputSize, estimator.InputSize]);
        using var p = PoseDepthTraining.Predict(estimator, input);
        return p.Angles.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>Per axis, reported yaw, pitch, roll: mean |canonical|, mean |source|, and the slope of canonical on truth.</summary>
    static CanonicalPose PoseOf(List<(float[] Canonical, float[] Source, float[] Truth)> rows)
    {
        int[] axes = [1, 0, 2];
        double Slope(int a) => AngleStats.Slope(rows.Select(r => (double)r.Canonical[a]).ToList(), rows.Select(r => (double)r.Truth[a]).ToList());
        return new CanonicalPose(axes.Select(a => rows.Average(r => Math.Abs((double)r.Canonical[a]))).ToArray(),
            axes.Select(a => rows.Average(r => Math.Abs((double)r.Source[a]))).ToArray(), axes.Select(Slope).ToArray());
    }

    /// <summary>Yaw of ±<see cref="ComposerTurnDegrees"/> asked of the composer by <see cref="ComposerTurn"/>.</summary>
    public const double ComposerTurnDegrees = 30;

    /// <summary>
    /// The estimator's mean yaw on G(M(w, L, V')) at V' yaw +30° minus at −30° (pitch 0, the lift's perturbation x
    /// shift), over 60°: how far the composer turns the teacher's faces per degree asked, in the estimator's reading.
    /// L is the decomposer's light of w.
    /// </summary>
    static double ComposerTurn(LiftedGenerator model, PoseDepthEstimator estimator, Tensor w)
    {
        using var scope = NewDisposeScope();
        var (light, _) = model.Decomposer.forward(w);
        double Yaw(double degrees)
        {
            var raw = LiftedControls.RawView(0, degrees, model.Config.PerturbShift).Select(v => (float)v).ToArray();
            var view = tensor(raw, device: w.device).unsqueeze(0).expand(w.shape[0], -1);
            var (image, _) = model.Synthesize(model.Compose(w, light, view));
            var input = estimator.InputSize == image.shape[2] ? image.clamp(-1, 1)
                : nn.functional.adaptive_avg_pool2d(image.clamp(-1, 1), [estimator.InputSize, estimator.InputSize]);
            using var p = PoseDepthTraining.Predict(estimator, input);
            return p.Angles[.., 1].mean().item<float>();
        }
        return (Yaw(ComposerTurnDegrees) - Yaw(-ComposerTurnDegrees)) / (2 * ComposerTurnDegrees);
    }

    /// <summary>
    /// Scores one method on a batch: its depth in its predicted view on its valid pixels and its predicted angles; its
    /// canonical depth is kept for the correlation and distinctiveness.
    /// </summary>
    static void Score(ITruthSubject subject, Tensor w, Tensor image, Accumulator acc, CanonicalAccumulator canonical, DepthMapRenderer renderer,
        FaceBatch truth, Tensor trueMask, Tensor trueAngles, Tensor canonicalMask, Action<TruthPrediction, string>? observe)
    {
        using var scope = NewDisposeScope();
        using var p = subject.Predict(w, image);
        acc.Add(renderer, p.ViewDepth, p.Valid, p.Angles, truth.RenderedDepth, trueMask, trueAngles);
        canonical.Add(p.CanonicalDepth, truth.CanonicalDepth, canonicalMask);
        observe?.Invoke(p, subject.Method);
    }

    /// <summary>
    /// Correlation of between-face depth differences (see the class summary): <paramref name="predicted"/> and
    /// <paramref name="truth"/> N x S x S canonical depth, <paramref name="mask"/> N x S x S true foreground.
    /// </summary>
    public static double Distinctiveness(Tensor predicted, Tensor truth, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var common = mask.gt(0.5).all(0).flatten();
        long pixels = common.sum().item<long>();
        var index = common.nonzero().squeeze(1);
        if (pixels < 2 || predicted.shape[0] < 2) return double.NaN;
        Tensor Residual(Tensor d)
        {
            var v = d.to(ScalarType.Float64).flatten(1).index_select(1, index);
            v = v - v.mean([1], keepdim: true);
            return v - v.mean([0], keepdim: true);
        }
        var p = Residual(predicted);
        var t = Residual(truth);
        double pp = p.square().sum().item<double>(), tt = t.square().sum().item<double>();
        // A lift that gives every face the same shape has no residual at all: it reproduces none of the differences.
        if (pp < 1e-18 * Math.Max(tt, 1e-30)) return 0;
        return (p * t).sum().item<double>() / Math.Sqrt(pp * tt);
    }

    /// <summary>Per-image Pearson correlation of two B x S x S maps on a mask (NaN where either is constant there).</summary>
    internal static Tensor PearsonPerImage(Tensor a, Tensor b, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var count = m.sum([1, 2], keepdim: true).clamp_min(1);
        var x = a.to(ScalarType.Float64);
        var y = b.to(ScalarType.Float64);
        x = (x - (x * m).sum([1, 2], keepdim: true) / count) * m;
        y = (y - (y * m).sum([1, 2], keepdim: true) / count) * m;
        var r = (x * y).sum([1, 2]) / ((x.square().sum([1, 2]) * y.square().sum([1, 2])).sqrt() + 1e-30);
        return r.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The world's mean canonical depth (1 x S x S) and transformation map (1 x 1 x S x S) over 256 faces, with their
    /// mean image (1 x 3 x S x S) and mean raw view (1 x 6, the mean pose).
    /// </summary>
    internal static CanonicalFace MeanCanonicalShape(int size, long seed, out Tensor meanImage, out Tensor meanRawView)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        Tensor? depth = null, transform = null, image = null, view = null;
        for (int i = 0; i < 4; i++)
        {
            using var faces = FaceWorld.SampleBatch(64, size, generator);
            var d = faces.CanonicalDepth.mean([0], keepdim: true);
            var t = faces.TransformMap.mean([0], keepdim: true);
            var m = faces.Images.mean([0], keepdim: true);
            var v = faces.RawView.mean([0], keepdim: true);
            view = view is null ? v : view + v;
            depth = depth is null ? d : depth + d;
            transform = transform is null ? t : transform + t;
            image = image is null ? m : image + m;
        }
        meanImage = (image! / 4).MoveToOuterDisposeScope();
        meanRawView = (view! / 4).MoveToOuterDisposeScope();
        return new CanonicalFace((depth! / 4).MoveToOuterDisposeScope(), zeros(1, 3, size, size).MoveToOuterDisposeScope(),
            ones(1, size, size).MoveToOuterDisposeScope(), (transform! / 4).MoveToOuterDisposeScope());
    }

    /// <summary>One lift's canonical depth maps (CPU copies) and per-face correlations with the truth.</summary>
    sealed class CanonicalAccumulator : IDisposable
    {
        readonly List<Tensor> _depth = new();
        double _correlationSum;
        int _correlationCount;

        public void Add(Tensor depth, Tensor trueDepth, Tensor mask)
        {
            using var r = PearsonPerImage(depth, trueDepth, mask);
            foreach (var v in r.data<double>().ToArray().Where(double.IsFinite)) { _correlationSum += v; _correlationCount++; }
            _depth.Add(depth.detach().cpu().clone().DetachFromDisposeScope());
        }

        /// <summary>Mean per-face correlation and distinctiveness against the true maps and masks collected alongside.</summary>
        public (double Correlation, double Distinctiveness) Result(List<Tensor> trueDepth, List<Tensor> trueMask)
        {
            using var scope = NewDisposeScope();
            return (_correlationCount > 0 ? _correlationSum / _correlationCount : double.NaN,
                Distinctiveness(cat(_depth, 0), cat(trueDepth, 0), cat(trueMask, 0)));
        }

        public void Dispose()
        {
            foreach (var t in _depth) t.Dispose();
        }
    }

    /// <summary>Sums of one method's errors.</summary>
    internal sealed class Accumulator
    {
        readonly List<double>[] _angles = [new(), new(), new()];
        readonly List<double>[] _trueAngles = [new(), new(), new()];
        bool _hasAngles;
        double _side, _mad, _z, _relief;
        int _covered, _images;

        public void Add(DepthMapRenderer renderer, Tensor depth, Tensor mask, Tensor? angles, Tensor trueDepth, Tensor trueMask, Tensor trueAngles)
        {
            using var scope = NewDisposeScope();
            int n = (int)trueDepth.shape[0];
            _images += n;
            if (angles is not null)
            {
                _hasAngles = true;
                var e = (angles.to(ScalarType.Float64) - trueAngles.to(ScalarType.Float64)).cpu().contiguous().data<double>().ToArray();
                var t = trueAngles.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
                for (int i = 0; i < e.Length; i++) { _angles[i % 3].Add(e[i]); _trueAngles[i % 3].Add(t[i]); }
            }
            var m = DepthMetrics.Erode(trueMask) * DepthMetrics.Erode(mask);
            var valid = m.flatten(1).sum(1).gt(0).to(ScalarType.Float64);
            double Sum(Tensor perImage) => (perImage.to(ScalarType.Float64).nan_to_num() * valid).sum().item<double>();
            _side += Sum(DepthMetrics.Side(depth, trueDepth, m));
            _mad += Sum(DepthMetrics.Mad(renderer.Normals(depth), renderer.Normals(trueDepth), m));
            _z += Sum(DepthMetrics.NormalizedDepthError(depth, trueDepth, m));
            _relief += Sum(DepthMetrics.ReliefRatio(depth, trueDepth, m));
            _covered += (int)valid.sum().item<double>();
        }

        public TruthScores Result(string method)
        {
            double Depth(double sum) => _covered > 0 ? sum / _covered : double.NaN;
            return new TruthScores(method,
                _hasAngles ? AngleStats.Of(_angles[0], _trueAngles[0]) : null, _hasAngles ? AngleStats.Of(_angles[1], _trueAngles[1]) : null,
                _hasAngles ? AngleStats.Of(_angles[2], _trueAngles[2]) : null,
                Depth(_side), Depth(_mad), Depth(_z), _images - _covered, Depth(_relief));
        }
    }
}
