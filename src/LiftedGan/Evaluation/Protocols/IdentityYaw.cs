using System.Globalization;
using System.Text;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Cosine similarity of each face's rotated renderings to its frontal one: <see cref="Similarity"/>[face, yaw index];
/// <see cref="DifferentFaces"/> is the chance level: the mean cosine between the frontal renderings of different faces.
/// </summary>
public sealed record IdentityYawResult(IReadOnlyList<double> YawDegrees, double[,] Similarity, double DifferentFaces = double.NaN)
{
    public int Faces => Similarity.GetLength(0);

    /// <summary>Mean similarity over faces at each yaw.</summary>
    public double[] Mean => Enumerable.Range(0, YawDegrees.Count).Select(j => Column(j).Average()).ToArray();

    /// <summary>Standard deviation over faces at each yaw (population).</summary>
    public double[] Std => Enumerable.Range(0, YawDegrees.Count).Select(j =>
    {
        var c = Column(j).ToArray();
        double m = c.Average();
        return Math.Sqrt(c.Average(v => (v - m) * (v - m)));
    }).ToArray();

    IEnumerable<double> Column(int j) => Enumerable.Range(0, Faces).Select(i => Similarity[i, j]);

    /// <summary>
    /// The faces of several results at the same yaws, in order (the chance level is not carried over: it needs every
    /// pair of faces).
    /// </summary>
    public static IdentityYawResult Concat(IReadOnlyList<IdentityYawResult> parts)
    {
        if (parts.Count == 0) throw new EvaluationException("parts", "no results to join");
        var yaws = parts[0].YawDegrees;
        if (parts.Any(p => !p.YawDegrees.SequenceEqual(yaws))) throw new EvaluationException("parts", "results at different yaws");
        var all = new double[parts.Sum(p => p.Faces), yaws.Count];
        int row = 0;
        foreach (var p in parts)
            for (int i = 0; i < p.Faces; i++, row++)
                for (int j = 0; j < yaws.Count; j++) all[row, j] = p.Similarity[i, j];
        return new IdentityYawResult(yaws.ToArray(), all);
    }

    /// <summary>Mean similarity over faces and over the yaws other than 0 (NaN without faces).</summary>
    public double MeanOverYaws => Faces == 0 ? double.NaN
        : YawDegrees.Select((y, j) => (y, j)).Where(x => x.y != 0).Select(x => Mean[x.j]).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Long CSV: face, yaw_degrees, cosine.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("face,yaw_degrees,cosine\n");
        for (int i = 0; i < Faces; i++)
            for (int j = 0; j < YawDegrees.Count; j++)
                sb.Append(CultureInfo.InvariantCulture, $"{i},{YawDegrees[j]:G6},{Similarity[i, j]:F6}\n");
        return sb.ToString();
    }

    /// <summary>Table per yaw: yaw_degrees, mean, std, faces (CSV).</summary>
    public string MeanTableCsv()
    {
        var sb = new StringBuilder("yaw_degrees,mean_cosine,std_cosine,faces\n");
        var (mean, std) = (Mean, Std);
        for (int j = 0; j < YawDegrees.Count; j++)
            sb.Append(CultureInfo.InvariantCulture, $"{YawDegrees[j]:G6},{mean[j]:F6},{std[j]:F6},{Faces}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes similarity.csv, mean.csv and similarity.png/.svg (mean ± std vs yaw) into <paramref name="folder"/>; the
    /// plot also draws the means of <paramref name="baselines"/> (measured at the same yaws) and, when known, the
    /// chance level as a horizontal line.
    /// </summary>
    public void Write(string folder, string name = "mean ± std", IReadOnlyList<(string Name, IdentityYawResult Result)>? baselines = null)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, "similarity.csv"), Encoding.UTF8.GetBytes(ToCsv()));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "mean.csv"), Encoding.UTF8.GetBytes(MeanTableCsv()));
        var x = YawDegrees.ToArray();
        var series = new List<Plotting.ChartSeries> { new(name, x, Mean, Std, Markers: true) };
        foreach (var (title, r) in baselines ?? [])
        {
            if (!r.YawDegrees.SequenceEqual(YawDegrees)) throw new EvaluationException(title, "baseline measured at other yaws");
            series.Add(new Plotting.ChartSeries(title, x, r.Mean, Markers: true));
        }
        if (!double.IsNaN(DifferentFaces))
            series.Add(new Plotting.ChartSeries("different faces (chance)", [x.Min(), x.Max()], [DifferentFaces, DifferentFaces]));
        double low = series.SelectMany(s => s.Spread is null ? s.Y : s.Y.Zip(s.Spread, (m, d) => m - d)).Min();
        Plotting.Chart.Save(Path.Combine(folder, "similarity.png"), $"Identity under rotation ({Faces} faces)", "yaw (°)",
            "cosine similarity to the frontal view", series, yMin: Math.Min(0, low), yMax: 1, width: 480, height: 320);
    }
}

/// <summary>
/// Identity similarity versus yaw (LiftedGAN Fig. 7 protocol, related-systems §5.3): every face rendered frontally
/// (yaw 0) and at each requested yaw; the cosine similarity of the unit embeddings of frontal and rotated renderings.
/// </summary>
public static class IdentityYaw
{
    /// <summary>Default yaws: −45° to 45° in steps of 15° (the paper's axis values are not known).</summary>
    public static readonly IReadOnlyList<double> DefaultYaws = new double[] { -45, -30, -15, 0, 15, 30, 45 };

    /// <summary>
    /// Measures <paramref name="faces"/> faces. <paramref name="render"/>(i, yaws) returns face i rendered at the given
    /// yaws (degrees), T x 3 x S x S in [-1, 1]; it is called with yaw 0 first followed by <paramref name="yaws"/>.
    /// </summary>
    public static IdentityYawResult Measure(IFaceEmbedding embedding, int faces, IReadOnlyList<double> yaws, Func<int, IReadOnlyList<double>, Tensor> render)
    {
        if (faces < 1) throw new EvaluationException("faces", $"{faces}: must be at least 1");
        if (yaws.Count == 0) throw new EvaluationException("yaws", "no angles given");
        var result = new double[faces, yaws.Count];
        var angles = new[] { 0.0 }.Concat(yaws).ToList();
        var frontals = new List<double[]>();
        for (int i = 0; i < faces; i++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var images = render(i, angles);
            if (images.dim() != 4 || images.shape[0] != angles.Count || images.shape[1] != 3)
                throw new EvaluationException("render", $"face {i}: expected {angles.Count} x 3 x S x S, got [{string.Join(", ", images.shape)}]");
            var e = embedding.Embed(images).to(ScalarType.Float64);
            e = e / e.norm(1, true).clamp_min(1e-12);
            var cos = (e[1..] * e[0].unsqueeze(0)).sum(1).data<double>().ToArray();
            for (int j = 0; j < yaws.Count; j++) result[i, j] = cos[j];
            frontals.Add(e[0].data<double>().ToArray());
        }
        double different = double.NaN;
        if (faces > 1)
        {
            // Unit embeddings: the mean over unordered pairs i < j of their dot products (the cosine).
            double sum = 0;
            for (int i = 0; i < faces; i++)
                for (int j = i + 1; j < faces; j++)
                    sum += frontals[i].Zip(frontals[j], (a, b) => a * b).Sum();
            different = sum / (faces * (faces - 1) / 2.0);
        }
        return new IdentityYawResult(yaws.ToArray(), result, different);
    }

    /// <summary>
    /// Each image's reconstruction rendered from its own predicted view turned by each of <paramref name="yaws"/>
    /// (degrees): the canonical mesh of <paramref name="depth"/> (B×S×S) coloured by <paramref name="canonicalImage"/>
    /// (B×3×S×S), yawed about the rotation centre and then placed at the raw view <paramref name="rawView"/> (B×6) with
    /// <see cref="Rendering.DepthMapRenderer.RenderSweep"/>; B×T×3×S×S. Yaw 0 is the reconstruction at its predicted
    /// view (without a lift's transformation map).
    /// </summary>
    public static Tensor RenderFromView(Rendering.DepthMapRenderer renderer, Tensor depth, Tensor canonicalImage, Tensor rawView, IReadOnlyList<double> yaws)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var view = Rendering.ViewTransform.ScaleRawView(rawView);
        return renderer.RenderSweep(depth, canonicalImage, yaws.Select(y => (0.0, y)).ToList(), viewAfter: view).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Measure"/> on a method's predictions of a batch (<see cref="TruthPrediction.CanRotate"/>): face i is
    /// its reconstruction of image i rendered by <see cref="RenderFromView"/> at yaw 0 and at each of
    /// <paramref name="yaws"/> from its predicted view.
    /// </summary>
    public static IdentityYawResult MeasurePredictions(IFaceEmbedding embedding, TruthPrediction prediction, IReadOnlyList<double> yaws)
    {
        if (!prediction.CanRotate) throw new EvaluationException("prediction", "holds no canonical image, raw view and renderer to render from other views");
        var angles = new[] { 0.0 }.Concat(yaws).ToList();
        using var sweep = RenderFromView(prediction.Renderer!, prediction.CanonicalDepth, prediction.CanonicalImage!, prediction.RawView!, angles);
        return Measure(embedding, (int)sweep.shape[0], yaws, (i, asked) =>
            asked.SequenceEqual(angles) ? sweep[i].alias() : throw new EvaluationException("yaws", "asked for other yaws than rendered"));
    }

    /// <summary>The exact procedural world: face i is image i of the stream <paramref name="seed"/>, re-rendered by <see cref="FaceWorld.RenderYawSweep"/>.</summary>
    public static Func<int, IReadOnlyList<double>, Tensor> FaceWorldRenderer(long seed, int size) => (i, yaws) =>
    {
        using var draw = FaceDraw.Create(seed, i);
        using var batch = FaceWorld.RenderYawSweep(draw, yaws, size);
        return batch.Images.alias();
    };

    /// <summary>
    /// An Unsup3d model on a teacher's samples: face i is the teacher's image of z_i ~ N(0, I) (generator
    /// <paramref name="seed"/>, drawn in order; truncation 1, stored noise, clamped), decomposed once; its shaded canonical
    /// image on its canonical depth is rotated about the rotation centre (pitch 0, no translation) as a lift's is. With
    /// <paramref name="flat"/> the depth is a plane at the rotation centre (the flat card). Faces must be requested in order.
    /// </summary>
    public static Func<int, IReadOnlyList<double>, Tensor> Unsup3dRenderer(Unsup3dModel model, StyleGan2.StyleGenerator teacher, long seed, bool flat = false)
    {
        if (teacher.Config.Size != model.Config.ImageSize)
            throw new EvaluationException("teacher", $"renders {teacher.Config.Size} px images; the Unsup3d model takes {model.Config.ImageSize} px");
        return InOrder(teacher, seed, (w, yaws) =>
        {
            var image = teacher.Generate([w], new StyleGan2.GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1);
            using var d = model.Decompose(image);
            using var shaded = model.Render(d);
            var depth = flat ? full_like(d.Depth, model.Config.RendererOptions.CenterDepth) : d.Depth;
            return model.Renderer.RenderSweep(depth, shaded.CanonImage, yaws.Select(y => (0.0, y)).ToList());
        });
    }

    /// <summary>
    /// A lifted generator: face i from z_i ~ N(0, I) (generator <paramref name="seed"/>, drawn in order), estimated once;
    /// its canonical image shaded with the estimated light is rotated about the rotation centre (pitch 0, no translation)
    /// with <see cref="Rendering.DepthMapRenderer.RenderSweep"/>. Faces must be requested in order 0, 1, 2, ...
    /// With <paramref name="flat"/> the depth is replaced by a plane at the rotation centre (the same texture on a flat
    /// card: the constant-shape answer the lift's 3D must beat).
    /// </summary>
    public static Func<int, IReadOnlyList<double>, Tensor> LiftedRenderer(LiftedGenerator model, long seed, bool flat = false) =>
        InOrder(model.Teacher, seed, (w, yaws) =>
        {
            using var estimate = model.Estimate(w);
            using var frontal = model.Render(estimate.Depth, estimate.Albedo, estimate.Light, zeros_like(estimate.View), estimate.TransformationMap);
            var depth = flat ? full_like(estimate.Depth, model.Config.RotationCenterDepth) : estimate.Depth;
            return model.Renderer.RenderSweep(depth, frontal.CanonImage, yaws.Select(y => (0.0, y)).ToList());
        });

    /// <summary>
    /// Face i of a stream of teacher styles w_i = mapping(z_i), z_i ~ N(0, I) drawn in order from generator
    /// <paramref name="seed"/>: <paramref name="sweep"/>(w_i, yaws) gives 1×T×3×S×S without gradients, and its first
    /// image stack is returned. Faces must be requested in order 0, 1, 2, ...
    /// </summary>
    static Func<int, IReadOnlyList<double>, Tensor> InOrder(StyleGan2.StyleGenerator teacher, long seed, Func<Tensor, IReadOnlyList<double>, Tensor> sweep)
    {
        var generator = new Generator((ulong)seed);
        int next = 0;
        return (i, yaws) =>
        {
            if (i != next) throw new EvaluationException("face", $"{i}: faces must be requested in order (expected {next})");
            next++;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var w = teacher.Map(randn(1, teacher.Config.StyleDim, generator: generator));
            return sweep(w, yaws)[0].MoveToOuterDisposeScope();
        };
    }
}
