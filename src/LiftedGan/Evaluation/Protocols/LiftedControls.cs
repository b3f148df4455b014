using LiftedGan.Lifting;
using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// A trained lift as an <see cref="IControllableGenerator"/>: face i is z_i of a seeded N(0, I) stream through the
/// sampler's truncated mapping; its depth, albedo and transformation map come from the lift's estimate; the view is
/// the training perturbation's raw view [pitch/60, yaw/60, 0, 0.2·sin(yaw), 0, 0]; the raw light is the one the
/// decomposer predicts for the light face. Reference images are the teacher's untruncated samples G(map(z)) of a
/// second stream (seed + 1): the 2D generator stands in for its training data.
/// </summary>
public sealed class LiftedControls : IControllableGenerator, IDisposable
{
    readonly LiftedSampler sampler;
    readonly double truncation;
    readonly Generator faceStream;
    readonly Generator referenceStream;
    readonly List<Tensor> faces = new();
    int referenceDrawn;

    public LiftedControls(LiftedSampler sampler, double truncation, long seed)
    {
        this.sampler = sampler;
        this.truncation = truncation;
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
        var (image, _) = sampler.Model.Synthesize(sampler.Model.Teacher.Map(z));
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>DS of a lift: <see cref="DisentanglementProtocol"/> on these controls (the run's ψ) with <see cref="FaceFactorEstimator"/>.</summary>
    public static DisentanglementResult MeasureDisentanglement(LiftedSampler sampler, PoseDepthEstimator estimator, IFaceEmbedding? embedding,
        DisentanglementOptions o, Action<string>? progress = null)
    {
        using var controls = new LiftedControls(sampler, sampler.Model.Config.Truncation, o.Seed);
        return DisentanglementProtocol.Measure(controls, new FaceFactorEstimator(estimator, embedding), o, progress);
    }

    public void Dispose()
    {
        foreach (var t in faces) t.Dispose();
        faceStream.Dispose();
        referenceStream.Dispose();
    }
}
