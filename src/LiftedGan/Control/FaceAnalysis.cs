using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>What <see cref="FaceAnalysis"/> reads from images (all differentiable with respect to the images).</summary>
public sealed record FaceReading(Tensor Angles, Tensor Normals, Tensor MaskProbability, Tensor Light, Tensor? Identity) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in new[] { Angles, Normals, MaskProbability, Light, Identity }) t?.Dispose();
    }
}

/// <summary>
/// The external networks of DiscoFaceGAN and Tax-free (§4.4), replaced by the project's own, all frozen: the
/// <see cref="PoseDepthEstimator"/> (models/estimator_faces64.pt) stands in for Deng et al.'s reconstruction network
/// R-Net / Tax-free's FR: head angles (instead of R-Net's pose and its 68 projected landmarks), view-space depth and so
/// normals (instead of the reconstructed 3DMM shape), a foreground probability (instead of the face parser's hair mask)
/// and the light as a face-frame direction fitted to those normals (<see cref="LightFit"/>, a first-order SH fit
/// instead of R-Net's 27 SH coefficients). The face embedding (models/identity_faces64.pt, trained on the procedural
/// world) stands in for the face-recognition network. Expression has no estimator: it is carried by the pixel loss.
/// Images of another size are resized (bilinear) to the estimator's.
/// </summary>
public sealed class FaceAnalysis(PoseDepthEstimator estimator, IFaceEmbedding? embedding)
{
    /// <summary>The pose-and-depth estimator.</summary>
    public PoseDepthEstimator Estimator { get; } = estimator;

    /// <summary>The face embedding, or null (identity losses are then skipped).</summary>
    public IFaceEmbedding? Embedding { get; } = embedding;

    /// <summary>Reads images B × 3 × S × S in [-1, 1]; gradients flow to the images, never into the frozen networks.</summary>
    public FaceReading Read(Tensor images)
    {
        using var scope = NewDisposeScope();
        int size = Estimator.InputSize;
        var x = images.shape[2] == size ? images
            : nn.functional.interpolate(images, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false);
        var (depth, maskLogit, angles) = Estimator.call(x);
        var normals = FaceWorld.Renderer(size).Normals(depth);
        var probability = maskLogit.sigmoid();
        var mask = DepthMetrics.Erode(probability.detach().gt(0.5));
        var light = LightFit.FaceFrameDirection(x, normals, mask, angles);
        var identity = Embedding?.Embed(images);
        return new FaceReading(angles.MoveToOuterDisposeScope(), normals.MoveToOuterDisposeScope(), probability.MoveToOuterDisposeScope(),
            light.MoveToOuterDisposeScope(), identity?.MoveToOuterDisposeScope());
    }

    /// <summary>The exact truth of renders in the same units: angles (degrees, pitch/yaw/roll) and unit face-frame light directions.</summary>
    public static (Tensor Angles, Tensor Light) Truth(FaceBatch render)
    {
        using var scope = NewDisposeScope();
        using var light = Lighting.Parse(render.Light);
        return ((render.View[.., ..3] * (180 / Math.PI)).MoveToOuterDisposeScope(), light.Direction.clone().MoveToOuterDisposeScope());
    }
}
