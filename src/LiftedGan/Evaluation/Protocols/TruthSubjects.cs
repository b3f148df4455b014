using LiftedGan.Baselines.Gan2Shape;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// What a method says about B teacher samples of size S, for <see cref="ExactTruthProtocol"/> (owns its tensors): its
/// canonical depth B×S×S, its depth rendered in its predicted view B×S×S, where that depth is valid B×S×S in {0, 1}
/// (covered and nearer than the border depth − 0.01), and its pitch, yaw and roll in degrees B×3. Optionally what it
/// takes to render the reconstruction from other views (<see cref="IdentityYaw.RenderFromView"/>): the canonical image
/// B×3×S×S the method renders (shaded where the method shades), its raw view B×6 and its renderer.
/// </summary>
public sealed record TruthPrediction(Tensor CanonicalDepth, Tensor ViewDepth, Tensor Valid, Tensor Angles) : IDisposable
{
    /// <summary>The canonical image the method renders, B×3×S×S, or null.</summary>
    public Tensor? CanonicalImage { get; init; }

    /// <summary>The predicted raw view B×6 (tanh range; <see cref="ViewTransform.ScaleRawView"/>), or null.</summary>
    public Tensor? RawView { get; init; }

    /// <summary>The renderer of the method's reconstruction (not owned), or null.</summary>
    public DepthMapRenderer? Renderer { get; init; }

    /// <summary>Whether the reconstruction can be rendered from other views.</summary>
    public bool CanRotate => CanonicalImage is not null && RawView is not null && Renderer is not null;

    internal TruthPrediction MoveToOuter()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    IEnumerable<Tensor> All => new[] { CanonicalDepth, ViewDepth, Valid, Angles, CanonicalImage, RawView }.OfType<Tensor>();

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}

/// <summary>
/// A method the exact-truth protocol scores: a lift (which reads the teacher's style w) or a network that reads the
/// teacher's image (Unsup3d). It gets both and uses what it needs; no gradients are taken.
/// </summary>
public interface ITruthSubject
{
    /// <summary>The method's name in the result (e.g. <see cref="ExactTruthProtocol.Lift"/>).</summary>
    string Method { get; }

    /// <summary>Side of the images and maps it works at.</summary>
    int ImageSize { get; }

    /// <summary>Its prediction for styles w (B×D) and the teacher's images of them (B×3×S×S, clamped to [−1, 1]).</summary>
    TruthPrediction Predict(Tensor w, Tensor image);
}

/// <summary>A lift as a truth subject: its estimate of w, rendered at its predicted view with its transformation map.</summary>
public sealed class LiftTruthSubject(LiftedGenerator model, string method = ExactTruthProtocol.Lift) : ITruthSubject
{
    public LiftedGenerator Model { get; } = model;
    public string Method { get; } = method;
    public int ImageSize => Model.Config.ImageSize;

    public TruthPrediction Predict(Tensor w, Tensor image)
    {
        using var scope = NewDisposeScope();
        using var estimate = Model.Estimate(w);
        using var render = Model.Render(estimate.Depth, estimate.Albedo, estimate.Light, estimate.View, estimate.TransformationMap);
        var valid = render.Render.Mask.squeeze(1).gt(0.5).logical_and(render.Render.Depth.lt(Model.Config.BorderDepth - 0.01)).to(ScalarType.Float32);
        return new TruthPrediction(estimate.Depth.alias(), render.Render.Depth.alias(), valid, estimate.View[.., ..3] * ViewTransform.RotationRangeDegrees)
        {
            CanonicalImage = render.CanonImage.alias(), RawView = estimate.View.alias(), Renderer = Model.Renderer,
        }.MoveToOuter();
    }
}

/// <summary>An Unsup3d model as a truth subject: its decomposition of the teacher's image, its depth rendered at its predicted view.</summary>
public sealed class Unsup3dTruthSubject(Unsup3dModel model) : ITruthSubject
{
    /// <summary>The method name of an Unsup3d model in results.</summary>
    public const string Name = "unsup3d";

    public Unsup3dModel Model { get; } = model;
    public string Method => Name;
    public int ImageSize => Model.Config.ImageSize;

    public TruthPrediction Predict(Tensor w, Tensor image)
    {
        using var scope = NewDisposeScope();
        using var d = Model.Decompose(image);
        var (depth, mask) = Model.DepthInView(d);
        var valid = (mask * depth.lt(Model.Config.BorderDepth - 0.01).to(mask.dtype)).to(ScalarType.Float32);
        using var shaded = Model.Render(d);
        return new TruthPrediction(d.Depth.alias(), depth, valid, d.AnglesDegrees())
        {
            CanonicalImage = shaded.CanonImage.alias(), RawView = d.View.alias(), Renderer = Model.Renderer,
        }.MoveToOuter();
    }
}

/// <summary>
/// GAN2Shape as a truth subject: a per-instance fit (<see cref="Gan2ShapeInstance"/>, all steps and stages of
/// <paramref name="config"/>) on each scored sample, from its known style w, with fresh networks each time; then its
/// canonical depth, its depth rendered at its predicted view and its angles. The n-th image scored gets the sample seed
/// (config seed, n). Costly: a whole optimisation per image (see docs/baselines.md). <paramref name="objectBox"/> places
/// the ellipsoid prior (the official face parser's role, e.g. <see cref="ParserBox"/>); null: the whole image, face-adjusted.
/// With <paramref name="start"/> every fit starts from a joint pre-training's networks instead (no prior fit, as the
/// official face instance runs; the caller owns and disposes it).
/// </summary>
public sealed class Gan2ShapeTruthSubject(StyleGenerator teacher, Gan2ShapeConfig config, PerceptualLoss? perceptual, Action<int, string>? progress = null,
    Func<Tensor, PixelBox>? objectBox = null, Gan2ShapeWeights? start = null) : ITruthSubject
{
    /// <summary>The method name of GAN2Shape in results: from the prior, and from a joint pre-training.</summary>
    public const string Name = "gan2shape";
    public const string JointName = "gan2shape-joint";

    long _scored;
    readonly List<(double Wall, double Cpu)> _seconds = new();

    public StyleGenerator Teacher { get; } = teacher;

    /// <summary>
    /// Wall-clock and process CPU seconds of each fit so far (the CPU time of every thread of the process while the fit
    /// ran, other work of the process included).
    /// </summary>
    public IReadOnlyList<(double Wall, double Cpu)> FitSeconds => _seconds;
    public Gan2ShapeConfig Config { get; } = config;

    /// <summary>The joint pre-training every fit starts from, or null (fresh networks and the prior).</summary>
    public Gan2ShapeWeights? Start { get; } = start;
    public string Method => Start is null ? Name : JointName;
    public int ImageSize => Config.ImageSize;

    /// <summary>Images fitted so far.</summary>
    public long Scored => _scored;

    /// <summary>
    /// The object box from a segmenting network, in the official face parser's role (§1.4): the bounding box of the
    /// pose-and-depth estimator's foreground on the image (1×3×S×S), with the official face adjustment (bottom to the last
    /// row, width shrunk by 1/12 a side). An image with no foreground gets the whole image, face-adjusted, as without a parser.
    /// </summary>
    public static Func<Tensor, PixelBox> ParserBox(PoseDepthEstimator parser) => image =>
    {
        using var scope = NewDisposeScope();
        int size = (int)image.shape[2];
        var input = parser.InputSize == size ? image : nn.functional.adaptive_avg_pool2d(image, [parser.InputSize, parser.InputSize]);
        using var p = PoseDepthTraining.Predict(parser, input);
        var mask = p.Mask.shape[1] == size ? p.Mask[0]
            : nn.functional.interpolate(p.Mask.unsqueeze(1), [size, size], mode: InterpolationMode.Nearest)[0, 0];
        var box = mask.sum().item<float>() > 0 ? PixelBox.FromMask(mask) : PixelBox.WholeImage(size);
        return box.FaceAdjusted(size);
    };

    DepthMapRenderer? _renderer;

    public TruthPrediction Predict(Tensor w, Tensor image)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var parts = new List<Gan2ShapeOutputs>();
        for (long i = 0; i < w.shape[0]; i++)
        {
            long index = _scored++;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            PixelBox? box;
            using (no_grad()) box = objectBox?.Invoke(image.narrow(0, i, 1));
            if (box is not null) progress?.Invoke((int)index, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"prior box rows {box.Top:F0}-{box.Bottom:F0}, columns {box.Left:F1}-{box.Right:F1}"));
            using var instance = new Gan2ShapeInstance(Config, Teacher, w.narrow(0, i, 1), perceptual, Training.StepRandomness.GoldenSeed((ulong)Config.Seed, index), box, Start);
            instance.Run(step => progress?.Invoke((int)index, step));
            parts.Add(Gan2ShapeOutputs.Of(instance));
            _seconds.Add((clock.Elapsed.TotalSeconds, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
        }
        var depth = cat(parts.Select(p => p.ViewDepth).ToList(), 0);
        var mask = cat(parts.Select(p => p.ViewMask).ToList(), 0);
        var valid = (mask * depth.lt(Config.ModelConfig.BorderDepth - 0.01).to(mask.dtype)).to(ScalarType.Float32);
        return new TruthPrediction(cat(parts.Select(p => p.CanonicalDepth).ToList(), 0), depth, valid, cat(parts.Select(p => p.Angles).ToList(), 0))
        {
            CanonicalImage = cat(parts.Select(p => p.CanonicalImage).ToList(), 0), RawView = cat(parts.Select(p => p.RawView).ToList(), 0),
            Renderer = _renderer ??= new DepthMapRenderer(Config.ModelConfig.RendererOptions),
        }.MoveToOuter();
    }
}

/// <summary>What a checkpoint file holds, for commands that take either a lift or a baseline.</summary>
public enum SubjectKind
{
    /// <summary>A LiftedGAN checkpoint (netD, netT, netSD, netSC).</summary>
    Lift,
    /// <summary>An Unsup3d checkpoint (<see cref="Unsup3dCheckpoint"/>).</summary>
    Unsup3d,
}

/// <summary>Tells a lift checkpoint from an Unsup3d one by its content, and scores either on exact truth.</summary>
public static class TruthSubjects
{
    /// <summary>
    /// <see cref="ExactTruthProtocol"/> on the model in <paramref name="checkpoint"/> — a lift or an Unsup3d model, told by
    /// <see cref="KindOf"/> — on samples of the teacher in <paramref name="teacherPath"/>, beside the optional estimator
    /// and supervised reference (a supervised-truth lift checkpoint of the same teacher).
    /// </summary>
    public static ExactTruthResult Evaluate(string checkpoint, string teacherPath, PoseDepthEstimator? estimator, int count, long seed, int batch,
        string? supervisedPath = null)
    {
        var kind = KindOf(checkpoint);
        if (kind == SubjectKind.Lift)
        {
            using var model = LiftedCheckpoint.Open(checkpoint, teacherPath);
            using var reference = supervisedPath is null ? null : LiftedCheckpoint.Open(supervisedPath, teacherPath);
            return ExactTruthProtocol.Evaluate(model, estimator, count, seed, batch, reference);
        }
        if (!File.Exists(teacherPath)) throw new EvaluationException(teacherPath, "StyleGAN2 checkpoint not found");
        using var unsup3d = Unsup3dCheckpoint.Open(checkpoint);
        using var teacher = StyleGanCheckpoint.LoadGenerator(teacherPath);
        teacher.eval();
        using var supervised = supervisedPath is null ? null : LiftedCheckpoint.Open(supervisedPath, teacherPath);
        if (supervised is not null) ExactTruthProtocol.CheckSupervisedTeacher(teacher, supervised);
        return ExactTruthProtocol.Evaluate(teacher, new Unsup3dTruthSubject(unsup3d), estimator, count, seed, batch,
            supervised is null ? null : new LiftTruthSubject(supervised, ExactTruthProtocol.Supervised));
    }

    static readonly string[] LiftKeys = ["netD", "netT", "netSD", "netSC"];

    /// <summary>The kind of model <paramref name="path"/> holds.</summary>
    /// <exception cref="EvaluationException">The file is missing or holds neither kind (a StyleGAN2 file gets a hint).</exception>
    /// <exception cref="CheckpointFormatException">The file is corrupt or truncated.</exception>
    public static SubjectKind KindOf(string path)
    {
        if (!File.Exists(path)) throw new EvaluationException(path, "checkpoint not found");
        var root = TorchCheckpoint.Load(path);
        try
        {
            if (Unsup3dCheckpoint.Holds(root)) return SubjectKind.Unsup3d;
            if (root is PyDict dict && LiftKeys.Any(dict.ContainsKey)) return SubjectKind.Lift;
            string hint = root is PyDict d && d.ContainsKey("g_ema") ? " — it is a StyleGAN2 checkpoint (g_ema): give it as the teacher" : "";
            throw new EvaluationException(path, $"neither a LiftedGAN checkpoint (netD, netT, netSD, netSC) nor an Unsup3d checkpoint ({Unsup3dCheckpoint.ConfigKey}){hint}");
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }
}
