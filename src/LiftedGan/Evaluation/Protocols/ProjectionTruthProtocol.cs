using LiftedGan.Lifting;
using LiftedGan.Projection;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>One reconstruction of the targets: mean L1 (images in [−1, 1]) and mean perceptual distance over the faces.</summary>
public sealed record ReconstructionScores(string Method, double L1, double Perceptual);

/// <summary>
/// A projection scored on the procedural world (<see cref="ProjectionTruthProtocol"/>): the reconstructions of the
/// world's images, the depth and pose of the lift against the world's exact truth beside the constant answers, and
/// the mean per-face correlation of each lift's canonical depth with the true canonical depth.
/// </summary>
public sealed record ProjectionTruthResult(int Faces, long Seed, ProjectionSettings Settings, IReadOnlyList<ReconstructionScores> Reconstruction,
    IReadOnlyList<TruthScores> Depth, IReadOnlyDictionary<string, double> CanonicalCorrelation, double Seconds);

/// <summary>
/// The photo route (<see cref="StyleProjector"/> then the lift) measured where the answer is known: images of the
/// procedural face world (<see cref="FaceWorld.SampleBatch"/>, random face parameters from the seed: renders of the world
/// itself, not teacher samples) are projected into a world-fit teacher and lifted from the projected style.
/// <para>Reconstruction of the world's images: the projection; in W+ also the teacher's image of the layer-mean w the
/// lift gets; the mean style G(w_avg); the lifted render of the projected w (its predicted view and light); the world's
/// mean image (256 faces of another seed; a constant answer).</para>
/// <para>Depth and pose against exact truth, scored as <see cref="ExactTruthProtocol"/> scores them (SIDE, MAD and the
/// z-scored depth error in view on the eroded overlap with the true foreground; angle errors in degrees):
/// <c>lift of the projected w</c>; <c>lift of the mean style</c> (the lift told nothing about the photo); the world's
/// mean shape at each face's true pose; the constant answer (flat plane at depth 1 on the true mask, angles 0°).</para>
/// </summary>
public static class ProjectionTruthProtocol
{
    public const string Projected = "lift of the projected w", MeanStyleLift = "lift of the mean style w_avg";
    public const string ProjectionRow = "projection", LiftStyleRow = "G(layer-mean w), the lift's input", MeanStyleRow = "mean style G(w_avg)",
        LiftedRow = "lifted render of the projected w", MeanImageRow = "world mean image (constant)";

    /// <summary>
    /// Projects <paramref name="count"/> world faces drawn with <paramref name="seed"/> (in batches of
    /// <paramref name="batch"/>) into <paramref name="model"/>'s teacher and scores the lift; <paramref name="log"/>
    /// hears progress lines.
    /// </summary>
    public static ProjectionTruthResult Evaluate(LiftedGenerator model, PerceptualLoss perceptual, ProjectionSettings settings, int count, long seed,
        int batch = 16, Action<string>? log = null)
    {
        if (count < 2) throw new EvaluationException("count", $"{count}: need at least 2 faces");
        if (batch < 1) throw new EvaluationException("batch", $"{batch}: must be at least 1");
        int size = model.Config.ImageSize;
        if (!FaceModel.Sizes.Contains(size))
            throw new EvaluationException("teacher", $"{size} px: the face world renders at {string.Join(", ", FaceModel.Sizes)} px only");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var renderer = FaceWorld.Renderer(size);
        using var meanShape = ExactTruthProtocol.MeanCanonicalShape(size, seed + 7919, out var meanImage, out var meanRawView);
        using var meanImageDisposer = meanImage;
        using var meanRawViewDisposer = meanRawView;
        using var projector = new StyleProjector(model.Teacher, perceptual, settings);
        var subject = new LiftTruthSubject(model);
        bool plus = settings.Space == LatentSpace.WPlus;
        var rows = new List<string> { ProjectionRow };
        if (plus) rows.Add(LiftStyleRow);
        rows.AddRange([MeanStyleRow, LiftedRow, MeanImageRow]);
        var l1 = rows.ToDictionary(r => r, _ => new List<double>());
        var perc = rows.ToDictionary(r => r, _ => new List<double>());
        var methods = new[] { Projected, MeanStyleLift, ExactTruthProtocol.MeanShape, ExactTruthProtocol.Constant };
        var acc = methods.ToDictionary(m => m, _ => new ExactTruthProtocol.Accumulator());
        var correlations = new Dictionary<string, List<double>> { [Projected] = new(), [MeanStyleLift] = new() };
        using var generator = new Generator((ulong)seed);
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(batch, count - done);
            using var scope = NewDisposeScope();
            using var faces = FaceWorld.SampleBatch(n, size, generator);
            int first = done;
            using var result = projector.Project(faces.Images, step =>
            {
                if ((step.Step + 1) % 50 == 0 || step.Step + 1 == settings.Steps)
                    log?.Invoke($"faces {first + 1}-{first + n}: step {step.Step + 1}/{settings.Steps}, loss {step.Loss:F4}");
            });
            using var noGrad = no_grad();
            void Add(string row, Tensor image)
            {
                var e = projector.Error(image, faces.Images);
                l1[row].AddRange(e.L1);
                perc[row].AddRange(e.Perceptual);
            }
            Add(ProjectionRow, result.Image);
            if (plus) Add(LiftStyleRow, result.StyleImage);
            Add(MeanStyleRow, result.MeanImage.expand(n, -1, -1, -1));
            Add(MeanImageRow, meanImage.expand(n, -1, -1, -1));

            var trueMask = faces.RenderedMask.gt(0.5).to(ScalarType.Float32);
            var trueAngles = faces.View[.., ..3] * (180 / Math.PI);
            var canonicalMask = faces.Mask.gt(0.5).to(ScalarType.Float32);
            foreach (var (method, style) in new[] { (Projected, result.Style), (MeanStyleLift, result.MeanStyle.expand(n, -1)) })
            {
                var w = style.to(projector.MeanStyle.device);
                using var p = subject.Predict(w, projector.Generate(w));
                acc[method].Add(renderer, p.ViewDepth.cpu(), p.Valid.cpu(), p.Angles.cpu(), faces.RenderedDepth, trueMask, trueAngles);
                using var r = ExactTruthProtocol.PearsonPerImage(p.CanonicalDepth.cpu(), faces.CanonicalDepth, canonicalMask);
                correlations[method].AddRange(r.data<double>().ToArray().Where(double.IsFinite));
                if (method == Projected)
                {
                    using var e = model.Estimate(w);
                    using var render = model.Render(e.Depth, e.Albedo, e.Light, e.View, e.TransformationMap);
                    Add(LiftedRow, render.Render.Image.clamp(-1, 1).cpu());
                }
            }
            using (var mean = renderer.Render(meanShape.Depth.expand(n, -1, -1), zeros(n, 1, size, size),
                       ViewTransform.ScaleRawView(faces.RawView), meanShape.TransformMap.expand(n, -1, -1, -1)))
                acc[ExactTruthProtocol.MeanShape].Add(renderer, mean.Depth, mean.Mask.squeeze(1).gt(0.5).to(ScalarType.Float32), null,
                    faces.RenderedDepth, trueMask, trueAngles);
            acc[ExactTruthProtocol.Constant].Add(renderer, ones_like(faces.RenderedDepth), trueMask, zeros_like(trueAngles),
                faces.RenderedDepth, trueMask, trueAngles);
            done += n;
        }
        return new ProjectionTruthResult(count, seed, settings,
            rows.Select(r => new ReconstructionScores(r, l1[r].Average(), perc[r].Average())).ToList(),
            methods.Select(m => acc[m].Result(m)).ToList(),
            correlations.ToDictionary(kv => kv.Key, kv => kv.Value.Count > 0 ? kv.Value.Average() : double.NaN),
            clock.Elapsed.TotalSeconds);
    }
}
