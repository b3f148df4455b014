using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Re-estimates the factors of face images for the disentanglement score: yaw and pitch (degrees) from the
/// <see cref="PoseDepthEstimator"/>; the light as a unit direction in the face's frame (<see cref="LightFit"/> on the
/// estimator's depth normals and foreground); identity as the unit face embedding when one is given (DiscoFaceGAN
/// likewise uses face-recognition features for identity). Images are area-resized to the estimator's size.
/// </summary>
public sealed class FaceFactorEstimator(PoseDepthEstimator estimator, IFaceEmbedding? embedding = null) : IFactorEstimator
{
    public IReadOnlyList<string> Factors { get; } = embedding is null
        ? new[] { "yaw", "pitch", "light" }
        : new[] { "yaw", "pitch", "light", "identity" };

    public Tensor[] Measure(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (angles, light) = PoseAndLight(estimator, images);
        var values = new List<Tensor> { angles[.., 1..2].clone(), angles[.., 0..1].clone(), light };
        if (embedding is not null) values.Add(UnitEmbedding(embedding, images));
        return values.Select(v => v.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// The estimator's head angles (B × 3 degrees: pitch, yaw, roll) and the unit face-frame light direction
    /// (<see cref="LightFit"/> on its depth normals and eroded foreground) of images, area-resized to its size.
    /// </summary>
    public static (Tensor Angles, Tensor Light) PoseAndLight(PoseDepthEstimator estimator, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int size = estimator.InputSize;
        var small = images.shape[2] == size && images.shape[3] == size ? images : nn.functional.adaptive_avg_pool2d(images, new long[] { size, size });
        using var p = PoseDepthTraining.Predict(estimator, small);
        var normals = FaceWorld.Renderer(size).Normals(p.Depth);
        var light = LightFit.FaceFrameDirection(small, normals, DepthMetrics.Erode(p.Mask), p.Angles);
        return (p.Angles.clone().MoveToOuterDisposeScope(), light.MoveToOuterDisposeScope());
    }

    /// <summary>The unit face embedding B × D (float64) of images.</summary>
    public static Tensor UnitEmbedding(IFaceEmbedding embedding, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var e = embedding.Embed(images).to(ScalarType.Float64);
        return (e / e.norm(1, true).clamp_min(1e-12)).MoveToOuterDisposeScope();
    }
}
