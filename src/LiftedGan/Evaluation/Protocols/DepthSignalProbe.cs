using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Parts of a lift's decomposition that <see cref="DepthSignalProbe"/> can take from the lift instead of the truth.</summary>
[Flags]
public enum LiftParts
{
    /// <summary>Every part exact.</summary>
    None = 0,
    /// <summary>The raw light (netSD).</summary>
    Light = 1,
    /// <summary>The raw view (netSD or the image view encoder).</summary>
    View = 2,
    /// <summary>The canonical image G(M(w, L0, 0)) that the albedo is de-lit from.</summary>
    Canonical = 4,
    /// <summary>The transformation map (netT).</summary>
    Transform = 8,
    /// <summary>Instead of a canonical image, the teacher's own image of w at its own pose and light (perfect identity, no canonicalisation).</summary>
    SourceAsCanonical = 16,
    /// <summary>
    /// Instead of the lift's canonical image, the teacher's image of the face's frontal latent (<see cref="LatentFaces.Frontal"/>):
    /// the canonical image a perfect composer could give with this teacher (not from the lift; a ceiling).
    /// </summary>
    TeacherFrontal = 32,
    /// <summary>The world's own render of the frontal latent: <see cref="TeacherFrontal"/> without the teacher's errors (a control).</summary>
    WorldFrontal = 64,
}

/// <summary>One measurement of a <see cref="DepthSignalProbe"/> run: the step, the mean loss since the previous row and the distinctiveness.</summary>
public sealed record DepthSignalRow(int Step, double Loss, double Distinctiveness);

/// <summary>
/// How close a lift's canonical images G(M(w, L0, 0)) are to the teacher's own image of the same face frontal and lit
/// frontally, G(map(frontal(z))) (<see cref="LatentFaces.Frontal"/>), the best canonical image the teacher can give:
/// mean L1 on the true face region (images in [-1, 1]) and the slope and correlation of the between-face deviations
/// (each image minus its set's mean image; slope 1 and r 1 when every face's own look is kept), beside the trivial
/// answers: the teacher's source image itself, and one mean frontal image for every face (slope and r 0).
/// </summary>
public sealed record CanonicalFidelity(int Samples, double LiftL1, double LiftSlope, double LiftR, double SourceL1, double SourceSlope, double SourceR,
    double MeanImageL1, double TeacherToWorldL1);

/// <summary>Settings of a <see cref="DepthSignalProbe"/> run.</summary>
public sealed record DepthSignalOptions
{
    public LiftParts FromLift { get; init; }
    /// <summary>Reconstruct the world's own render of each latent instead of the teacher's image (the teacher-free ceiling).</summary>
    public bool WorldTarget { get; init; }
    public int Steps { get; init; } = 600;
    public int Batch { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Held-out latents (seed <see cref="EvalSeed"/>) the distinctiveness is measured on.</summary>
    public int Samples { get; init; } = 64;
    public int Every { get; init; } = 200;
    public long Seed { get; init; } = 7;
    public long EvalSeed { get; init; } = 1;
}

/// <summary>
/// Can a lift's decomposition carry each face's own depth? Only the depth decoder trains (Adam), by the L1 of the
/// official reconstruction against the teacher's image: the albedo is the canonical image de-lit by the decoded depth's
/// shading under the frontalised light, re-lit and re-posed by the renderer. Every other part (light, view, canonical
/// image, transformation map) is the world's exact truth unless <see cref="DepthSignalOptions.FromLift"/> takes it from
/// the lift; the exact canonical image is the true albedo under the true light's ambient and diffuse strengths, frontal.
/// With every part exact the decoder learns between-face depth differences (distinctiveness rises towards the
/// supervised reference's); a part that stops it is where a lift loses them. Needs a world-fit teacher and the world's
/// camera (a narrower depth range only bounds what the decoder can output); changes the model's depth decoder in place.
/// </summary>
public static class DepthSignalProbe
{
    const LiftParts CanonicalSources = LiftParts.Canonical | LiftParts.SourceAsCanonical | LiftParts.TeacherFrontal | LiftParts.WorldFrontal;

    /// <summary>Runs the probe on <paramref name="model"/> (whose teacher must be world-fit) and returns one row per <see cref="DepthSignalOptions.Every"/> steps, step 0 first.</summary>
    public static IReadOnlyList<DepthSignalRow> Run(LiftedGenerator model, DepthSignalOptions options, Action<DepthSignalRow>? report = null)
    {
        var c = model.Config;
        TruthSupervision.CheckWorld(c, c.StyleDim, "teacher", depthRange: false);
        if (options.Steps < 1 || options.Batch < 1 || options.Samples < 2 || options.Every < 1)
            throw new EvaluationException("depth signal", "steps, batch and every must be at least 1 and samples at least 2");
        if (System.Numerics.BitOperations.PopCount((uint)(options.FromLift & CanonicalSources)) > 1)
            throw new EvaluationException("depth signal", "name one source of the canonical image (the lift's, the source image, the teacher's or the world's frontal face), not several");

        var frozen = model.Networks.Where(n => n.Module != model.DepthDecoder).SelectMany(n => n.Module.parameters()).Where(p => p.requires_grad).ToList();
        foreach (var p in frozen) p.requires_grad = false;
        try
        {
            var rows = new List<DepthSignalRow>();
            using var evalZ = randn([options.Samples, c.StyleDim], generator: new Generator((ulong)options.EvalSeed));
            using var evalTruth = LatentFaces.Truth(evalZ, c.ImageSize);
            Tensor evalW;
            using (no_grad()) evalW = model.Teacher.Map(evalZ);
            using var evalWDisposer = evalW;
            double Distinctiveness()
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                return ExactTruthProtocol.Distinctiveness(Depth(model, evalW), evalTruth.CanonicalDepth, evalTruth.Mask);
            }
            Add(new DepthSignalRow(0, double.NaN, Distinctiveness()));

            using var optimizer = optim.Adam(model.DepthDecoder.parameters(), lr: options.LearningRate);
            using var generator = new Generator((ulong)options.Seed);
            double sum = 0;
            int count = 0;
            for (int step = 1; step <= options.Steps; step++)
            {
                using (var scope = NewDisposeScope())
                {
                    var z = randn([options.Batch, c.StyleDim], generator: generator);
                    using var truth = LatentFaces.Truth(z, c.ImageSize);
                    var loss = Loss(model, z, truth, options);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    sum += loss.item<float>();
                    count++;
                }
                if (step % options.Every == 0 || step == options.Steps)
                {
                    Add(new DepthSignalRow(step, sum / count, Distinctiveness()));
                    sum = 0;
                    count = 0;
                }
            }
            return rows;

            void Add(DepthSignalRow row)
            {
                rows.Add(row);
                report?.Invoke(row);
            }
        }
        finally
        {
            foreach (var p in frozen) p.requires_grad = true;
        }
    }

    /// <summary>
    /// <see cref="CanonicalFidelity"/> of <paramref name="model"/>'s canonical images on <paramref name="samples"/> latents
    /// of seed <paramref name="seed"/> (its teacher must be world-fit).
    /// </summary>
    public static CanonicalFidelity Fidelity(LiftedGenerator model, int samples = 64, long seed = 1)
    {
        var c = model.Config;
        TruthSupervision.CheckWorld(c, c.StyleDim, "teacher", depthRange: false);
        if (samples < 2) throw new EvaluationException("canonical fidelity", "needs at least 2 samples");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var canonical = new List<Tensor>();
        var source = new List<Tensor>();
        var frontal = new List<Tensor>();
        var world = new List<Tensor>();
        var masks = new List<Tensor>();
        LatentBatches.Run(seed, samples, 8, c.StyleDim, z =>
        {
            // One world render of the frontal latent gives the world's frontal image and the canonical face mask (pose
            // and light do not move the canonical mask, so it is the source's too).
            using var frontalZ = LatentFaces.Frontal(z);
            using var frontalTruth = LatentFaces.Truth(frontalZ, c.ImageSize);
            var w = model.Teacher.Map(z);
            var image = model.Synthesize(w).Image.clamp(-1, 1);
            using var estimate = model.Estimate(w, image);
            canonical.Add(estimate.CanonicalImage.clamp(-1, 1).MoveToOuterDisposeScope());
            source.Add(image.MoveToOuterDisposeScope());
            frontal.Add(TeacherImageOfLatent(model, frontalZ).MoveToOuterDisposeScope());
            world.Add(frontalTruth.Images.clone().MoveToOuterDisposeScope());
            masks.Add(frontalTruth.Mask.gt(0.5).to(float32).unsqueeze(1).MoveToOuterDisposeScope());
        });
        var target = cat(frontal, 0);
        var mask = cat(masks, 0).expand_as(target);
        var targetDeviation = ((target - target.mean([0], keepdim: true)) * mask).flatten();
        double targetEnergy = targetDeviation.square().sum().item<float>();
        double L1(Tensor a) => ((a - target).abs() * mask).sum().item<float>() / mask.sum().item<float>();
        (double Slope, double R) Deviation(Tensor a)
        {
            var da = ((a - a.mean([0], keepdim: true)) * mask).flatten();
            double cross = (da * targetDeviation).sum().item<float>();
            return (cross / targetEnergy, cross / Math.Sqrt(da.square().sum().item<float>() * targetEnergy));
        }
        var lift = cat(canonical, 0);
        var src = cat(source, 0);
        var (liftSlope, liftR) = Deviation(lift);
        var (sourceSlope, sourceR) = Deviation(src);
        return new CanonicalFidelity(samples, L1(lift), liftSlope, liftR, L1(src), sourceSlope, sourceR,
            L1(target.mean([0], keepdim: true).expand_as(target)), L1(cat(world, 0)));
    }

    /// <summary>The canonical depth the lift's depth decoder gives styles <paramref name="w"/> (as in <see cref="LiftedGenerator.Estimate"/>).</summary>
    static Tensor Depth(LiftedGenerator model, Tensor w)
    {
        var (light, _) = model.LightAndView(w, train: false);
        var neutral = model.NeutralStyle(w, light);
        var (_, feature) = model.Synthesize(neutral);
        return model.DecodeDepth(w, neutral, feature);
    }

    static Tensor Loss(LiftedGenerator model, Tensor z, FaceBatch truth, DepthSignalOptions options)
    {
        var parts = options.FromLift;
        Tensor w, image;
        using (no_grad())
        {
            w = model.Teacher.Map(z);
            image = model.Synthesize(w).Image.clamp(-1, 1);
        }
        LiftedEstimate? estimate = null;
        if ((parts & (LiftParts.Light | LiftParts.View | LiftParts.Canonical | LiftParts.Transform)) != LiftParts.None)
            using (no_grad()) estimate = model.Estimate(w, image);
        var light = parts.HasFlag(LiftParts.Light) ? estimate!.Light : truth.Light;
        var view = parts.HasFlag(LiftParts.View) ? estimate!.View : truth.RawView;
        var transform = parts.HasFlag(LiftParts.Transform) ? estimate!.TransformationMap : truth.TransformMap;
        using var frontal = Lighting.Parse(light, frontalize: true);
        using var trueFrontal = Lighting.Parse(truth.Light, frontalize: true);
        var canonical = parts.HasFlag(LiftParts.Canonical) ? estimate!.CanonicalImage
            : parts.HasFlag(LiftParts.SourceAsCanonical) ? image
            : parts.HasFlag(LiftParts.TeacherFrontal) ? FrontalTeacherImage(model, z)
            : parts.HasFlag(LiftParts.WorldFrontal) ? FrontalWorldImage(z, model.Config.ImageSize)
            : Lighting.Shade(truth.Albedo, Lighting.Shading(model.Renderer.Normals(truth.CanonicalDepth), trueFrontal));
        var depth = Depth(model, w);
        var albedo = Lighting.Delight(canonical, Lighting.Shading(model.Renderer.Normals(depth), frontal));
        using var render = model.Render(depth, albedo, light, view, transform);
        var target = options.WorldTarget ? truth.Images : image;
        return LiftingLosses.MaskedL1(render.Render.Image, target, render.Render.Mask.detach());
    }

    static Tensor FrontalTeacherImage(LiftedGenerator model, Tensor z)
    {
        using var frontal = LatentFaces.Frontal(z);
        return TeacherImageOfLatent(model, frontal);
    }

    /// <summary>The teacher's image of latent <paramref name="z"/> (no gradient), clamped to [-1, 1].</summary>
    static Tensor TeacherImageOfLatent(LiftedGenerator model, Tensor z)
    {
        using var _ = no_grad();
        using var w = model.Teacher.Map(z);
        return model.Synthesize(w).Image.clamp(-1, 1);
    }

    static Tensor FrontalWorldImage(Tensor z, int size)
    {
        using var frontal = LatentFaces.Frontal(z);
        using var truth = LatentFaces.Truth(frontal, size);
        return truth.Images.clone();
    }
}
