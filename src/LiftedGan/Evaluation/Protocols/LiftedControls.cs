using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// A trained lift as an <see cref="IControllableGenerator"/>: face i is z_i of a seeded N(0, I) stream through the
/// sampler's truncated mapping; its depth, albedo and transformation map come from the lift's estimate; the view is
/// the training perturbation's raw view [pitch/60, yaw/60, 0, 0.2·sin(yaw), 0, 0]; the raw light is the one the
/// decomposer predicts for the light face. Reference images are the teacher's untruncated samples G(map(z)) of a
/// second stream (seed + 1): the 2D generator stands in for its training data.
/// <para>
/// Exact factors (<see cref="IExactFactors"/>, only when built with <c>worldTruth</c> for a teacher fitted to the
/// procedural world): yaw and pitch of a render are the controls the renderer applied, its light is the unit direction
/// of the raw light it shaded with, and the reference images' yaw, pitch and light are the world parameters of their
/// latents (<see cref="LatentFaces.Draws"/>). Identity stays re-estimated (the embedding has no exact counterpart).
/// </para>
/// </summary>
public sealed class LiftedControls : IControllableGenerator, IExactFactors, IDisposable
{
    readonly LiftedSampler sampler;
    readonly double truncation;
    readonly Generator faceStream;
    readonly Generator referenceStream;
    readonly List<Tensor> faces = new();
    readonly bool worldTruth;
    int referenceDrawn;
    Tensor? lastReference;

    /// <summary>Controls of <paramref name="sampler"/> at ψ = <paramref name="truncation"/>; <paramref name="worldTruth"/>: the teacher is world-fit (exact factors).</summary>
    public LiftedControls(LiftedSampler sampler, double truncation, long seed, bool worldTruth = false)
    {
        this.sampler = sampler;
        this.truncation = truncation;
        this.worldTruth = worldTruth;
        if (worldTruth && truncation != 1)
            throw new EvaluationException("exact factors", $"the world parameters of a latent are exact only at truncation 1 (this run samples at {truncation})");
        faceStream = new Generator((ulong)seed);
        referenceStream = new Generator((ulong)seed + 1);
    }

    Tensor Latent(int i)
    {
        while (faces.Count <= i)
        {
            using var chunk = randn(new long[] { 256, sampler.StyleDim }, generator: faceStream).DetachFromDisposeScope();
            for (int k = 0; k < 256; k++) faces.Add(chunk[k].clone().DetachFromDisposeScope());
        }
        return faces[i];
    }

    /// <summary>
    /// The raw view of the training perturbation for pitch and yaw in degrees, with x shift
    /// <paramref name="shift"/>·sin(yaw) world units (<see cref="LiftingConfig.PerturbShift"/>, official 0.02).
    /// </summary>
    public static double[] RawView(double pitchDegrees, double yawDegrees, double shift = 0.02) => new[]
    {
        pitchDegrees / ViewTransform.RotationRangeDegrees, yawDegrees / ViewTransform.RotationRangeDegrees, 0,
        shift / ViewTransform.XyTranslationRange * Math.Sin(yawDegrees * Math.PI / 180), 0, 0,
    };

    public Tensor Render(IReadOnlyList<FaceControls> controls)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = sampler.Model;
        var unique = controls.Select(c => c.Face).Distinct().ToList();
        var row = unique.Select((f, k) => (f, k)).ToDictionary(x => x.f, x => (long)x.k);
        var w = sampler.Styles(stack(unique.Select(Latent).ToArray()), truncation);
        using var e = model.Estimate(w);
        var pick = tensor(controls.Select(c => row[c.Face]).ToArray());
        var lightStyles = sampler.Styles(stack(controls.Select(c => Latent(c.LightFace)).ToArray()), truncation);
        var (light, _) = model.Decomposer.forward(lightStyles);
        var view = tensor(controls.SelectMany(c => RawView(c.PitchDegrees, c.YawDegrees)).Select(v => (float)v).ToArray()).view(-1, 6);
        using var r = model.Render(e.Depth.index_select(0, pick), e.Albedo.index_select(0, pick), light, view, e.TransformationMap.index_select(0, pick));
        return r.Render.Image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public Tensor Reference(int start, int n)
    {
        if (start != referenceDrawn) throw new EvaluationException("reference", $"images must be requested in order (expected {referenceDrawn}, got {start})");
        referenceDrawn += n;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = randn(new long[] { n, sampler.StyleDim }, generator: referenceStream);
        lastReference?.Dispose();
        lastReference = z.clone().DetachFromDisposeScope();
        var (image, _) = sampler.Model.Synthesize(sampler.Model.Teacher.Map(z));
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public Tensor? Exact(string factor, IReadOnlyList<FaceControls> controls)
    {
        if (!worldTruth) return null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor? t = factor switch
        {
            "yaw" => tensor(controls.Select(c => c.YawDegrees).ToArray(), dtype: ScalarType.Float64).view(-1, 1),
            "pitch" => tensor(controls.Select(c => c.PitchDegrees).ToArray(), dtype: ScalarType.Float64).view(-1, 1),
            "light" => LightDirection(sampler.Model.Decomposer.forward(sampler.Styles(stack(controls.Select(c => Latent(c.LightFace)).ToArray()), truncation)).Item1),
            _ => null,
        };
        return t?.MoveToOuterDisposeScope();
    }

    public Tensor? ExactReference(string factor, int start, int n)
    {
        if (!worldTruth || factor is not ("yaw" or "pitch" or "light")) return null;
        if (lastReference is null || lastReference.shape[0] != n || start != referenceDrawn - n)
            throw new EvaluationException("reference", $"exact values asked for images [{start}, {start + n}) that were not the last drawn");
        var draws = LatentFaces.Draws(lastReference);
        try
        {
            using var scope = NewDisposeScope();
            var t = factor switch
            {
                "yaw" => tensor(draws.Select(d => (double)d.Parameters[(int)FaceParam.Yaw]).ToArray(), dtype: ScalarType.Float64).view(-1, 1),
                "pitch" => tensor(draws.Select(d => (double)d.Parameters[(int)FaceParam.Pitch]).ToArray(), dtype: ScalarType.Float64).view(-1, 1),
                _ => LightDirection(tensor(draws.SelectMany(d => d.RawLight).ToArray()).view(-1, 4)),
            };
            return t.MoveToOuterDisposeScope();
        }
        finally { foreach (var d in draws) d.Dispose(); }
    }

    /// <summary>The unit light direction B × 3 (face frame) of a raw light B × 4, as <see cref="Lighting.Parse"/> shades with it.</summary>
    static Tensor LightDirection(Tensor rawLight)
    {
        using var parsed = Lighting.Parse(rawLight.to(ScalarType.Float64));
        return parsed.Direction.clone();
    }

    /// <summary>
    /// DS of a lift: <see cref="DisentanglementProtocol"/> on these controls (the run's ψ) with <see cref="FaceFactorEstimator"/>;
    /// <paramref name="worldTruth"/> for a world-fit teacher: exact yaw, pitch and light (see the class summary).
    /// </summary>
    public static DisentanglementResult MeasureDisentanglement(LiftedSampler sampler, PoseDepthEstimator estimator, IFaceEmbedding? embedding,
        DisentanglementOptions o, Action<string>? progress = null, bool worldTruth = false)
    {
        using var controls = new LiftedControls(sampler, sampler.Model.Config.Truncation, o.Seed, worldTruth);
        return DisentanglementProtocol.Measure(controls, new FaceFactorEstimator(estimator, embedding), o, progress);
    }

    public void Dispose()
    {
        lastReference?.Dispose();
        foreach (var t in faces) t.Dispose();
        faceStream.Dispose();
        referenceStream.Dispose();
    }
}
