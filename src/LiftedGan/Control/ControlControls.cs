using LiftedGan.Evaluation;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// A control generator as an <see cref="IControllableGenerator"/> for the disentanglement score: face i is code i of a
/// seeded N(0, I) stream (its identity, expression, background and noise); yaw and pitch are written into the pose
/// dimensions (<see cref="ControlCode.Set"/>, roll and translation as drawn); the light dimensions are those of code
/// <see cref="FaceControls.LightFace"/>. Reference images (the normaliser; FFHQ's role) are the face world's renders
/// of a second stream (seed + 1), the data the generator imitates. Every factor is re-estimated from the images: the
/// controls are the generator's inputs, not what its images show.
/// </summary>
public sealed class ControlControls(ControlGenerator generator, long seed) : IControllableGenerator
{
    readonly int dims = generator.Config.CodeDims;
    int referenceDrawn;

    Tensor Code(long stream, int index)
    {
        using var rng = new Generator(unchecked((ulong)(stream * 1_000_003 + index + 1)));
        return randn(new long[] { 1, dims }, generator: rng);
    }

    public Tensor Render(IReadOnlyList<FaceControls> controls)
    {
        using var scope = NewDisposeScope();
        var rows = controls.Select(c =>
        {
            var code = Code(seed, c.Face);
            ControlCode.Set(code, "yaw", Math.Clamp(c.YawDegrees, -45, 45));
            ControlCode.Set(code, "pitch", Math.Clamp(c.PitchDegrees, -20, 20));
            return ControlCode.Swap(code, Code(seed, c.LightFace), ControlFactor.Light);
        }).ToArray();
        return ControlEdits.Images(generator, cat(rows, 0)).Generated.MoveToOuterDisposeScope();
    }

    public Tensor Reference(int start, int n)
    {
        if (start != referenceDrawn) throw new EvaluationException("reference", $"images must be requested in order (expected {referenceDrawn}, got {start})");
        referenceDrawn += n;
        using var scope = NewDisposeScope();
        var codes = cat(Enumerable.Range(start, n).Select(i => Code(seed + 1, i)).ToArray(), 0);
        using var render = ControlCode.Render(codes, generator.Config.Size);
        return render.Images.clone().MoveToOuterDisposeScope();
    }

    /// <summary>DS of a control generator's yaw, pitch, light (and identity with an embedding), re-estimated by <see cref="FaceFactorEstimator"/>.</summary>
    public static DisentanglementResult MeasureDisentanglement(ControlGenerator generator, PoseDepthEstimator estimator, Lifting.IFaceEmbedding? embedding,
        DisentanglementOptions o, Action<string>? progress = null) =>
        DisentanglementProtocol.Measure(new ControlControls(generator, o.Seed), new FaceFactorEstimator(estimator, embedding), o, progress);
}
