using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Re-estimates the four factors of DiscoFaceGAN's Table 1 from face images (the role of Deng et al.'s reconstruction
/// and face-recognition networks there): <c>identity</c> as the unit face embedding, <c>expression</c> as the
/// <see cref="ExpressionEstimator"/>'s smile, mouth opening and brow raise (its raw output, not clamped to [0, 1]), <c>light</c> as the unit face-frame light
/// direction (<see cref="LightFit"/> on the pose-and-depth estimator's normals) and <c>pose</c> as the estimator's
/// pitch, yaw and roll, each divided by the half width of the face world's range (20°, 45°, 10°) so the three angles
/// weigh alike in the per-dimension mean variance (in degrees yaw alone would decide it). Identity and expression are
/// measured only when their networks are given.
/// </summary>
public sealed class CodeFactorEstimator : IFactorEstimator
{
    readonly PoseDepthEstimator estimator;
    readonly IFaceEmbedding? embedding;
    readonly ExpressionEstimator? expression;

    public CodeFactorEstimator(PoseDepthEstimator estimator, IFaceEmbedding? embedding, ExpressionEstimator? expression)
    {
        this.estimator = estimator;
        this.embedding = embedding;
        this.expression = expression;
        var factors = new List<string>();
        if (embedding is not null) factors.Add("identity");
        if (expression is not null) factors.Add("expression");
        factors.Add("light");
        factors.Add("pose");
        Factors = factors;
    }

    /// <summary>Half widths (degrees) of the world's pitch, yaw and roll ranges: the pose factor's units.</summary>
    public static readonly double[] PoseScale = [20, 45, 10];

    public IReadOnlyList<string> Factors { get; }

    public Tensor[] Measure(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (angles, light) = FaceFactorEstimator.PoseAndLight(estimator, images);
        var values = new List<Tensor>();
        if (embedding is not null) values.Add(FaceFactorEstimator.UnitEmbedding(embedding, images));
        if (expression is not null) values.Add(ExpressionTraining.Predict(expression, images, clamp: false).to(ScalarType.Float64));
        values.Add(light.to(ScalarType.Float64));
        using var scale = tensor(PoseScale, dtype: ScalarType.Float64);
        values.Add(angles.to(ScalarType.Float64) / scale);
        return values.Select(v => v.MoveToOuterDisposeScope()).ToArray();
    }
}
