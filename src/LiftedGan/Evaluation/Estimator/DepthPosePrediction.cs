using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// What a depth-and-pose predictor says about B images of size S (owns its tensors): view-space depth B x S x S, valid
/// (foreground) mask B x S x S in {0, 1}, and angles B x 3 in degrees ordered pitch, yaw, roll (the renderer's view order).
/// </summary>
public sealed record DepthPosePrediction(Tensor Depth, Tensor Mask, Tensor Angles) : IDisposable
{
    public void Dispose()
    {
        Depth.Dispose();
        Mask.Dispose();
        Angles.Dispose();
    }
}
