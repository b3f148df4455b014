using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// The pseudo-ground-truth estimator of our Table-2 protocol (the role Deng et al.'s reconstruction network plays in
/// the paper): a small supervised encoder-decoder from a face image B x 3 x S x S in [-1, 1] (S = 32 or 64) to its
/// view-space depth map B x S x S (project depth units, background 1.2), a foreground logit map B x S x S and the head
/// pose B x 3 in degrees, ordered as the renderer's view: pitch, yaw, roll. U-Net of 3 x 3 conv + LeakyReLU blocks
/// down to 4 x 4 (skip connections, nearest upsampling), pose from the pooled bottleneck. No normalisation layers. They
/// were dropped after TorchSharp's nn.GroupNorm gave NaN intermittently; the cause, found later, is that TorchSharp
/// 0.107's GroupNorm never initialises its affine weight and bias (torch.empty), so they hold whatever the memory held
/// (docs/numerics.md). <see cref="Lifting.FeatureGroupNorm"/> is initialised; whether normalisation helps this network
/// is a separate, unmeasured question.
/// </summary>
public sealed class PoseDepthEstimator : nn.Module<Tensor, (Tensor Depth, Tensor MaskLogit, Tensor Angles)>
{
    /// <summary>Depth is predicted as <see cref="DepthCentre"/> + <see cref="DepthRange"/> · tanh(x).</summary>
    public const double DepthCentre = 1.05, DepthRange = 0.2;

    /// <summary>Angles are predicted as <see cref="AngleScale"/> · x degrees (x is about unit scale).</summary>
    public const double AngleScale = 30;

    readonly ModuleList<nn.Module<Tensor, Tensor>> down;
    readonly ModuleList<nn.Module<Tensor, Tensor>> up;
    readonly Linear pose;
    readonly GuardedConv2d head;

    /// <summary>Builds the network for <paramref name="size"/> px inputs with base channel width <paramref name="width"/>.</summary>
    public PoseDepthEstimator(int size = 64, long width = 32) : base(nameof(PoseDepthEstimator))
    {
        if (size != 32 && size != 64) throw new EvaluationException("size", $"{size}: the estimator takes 32 or 64 px images");
        if (width < 4) throw new EvaluationException("width", $"{width}: must be at least 4");
        InputSize = size;
        Width = width;
        int levels = size == 64 ? 4 : 3; // down to 4 x 4
        var channels = Enumerable.Range(0, levels + 1).Select(i => width * (1L << Math.Min(i, 3))).ToArray();
        down = new ModuleList<nn.Module<Tensor, Tensor>>();
        down.Add(Block(3, channels[0], 1));
        for (int i = 0; i < levels; i++) down.Add(Block(channels[i], channels[i + 1], 2));
        up = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = levels; i > 0; i--) up.Add(Block(channels[i] + channels[i - 1], channels[i - 1], 1));
        pose = nn.Linear(channels[levels], 3);
        head = new GuardedConv2d(channels[0], 2, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Input image size in pixels.</summary>
    public int InputSize { get; }

    /// <summary>Base channel width.</summary>
    public long Width { get; }

    static nn.Module<Tensor, Tensor> Block(long cin, long cout, long stride) => nn.Sequential(
        ("conv", new GuardedConv2d(cin, cout, 3, stride: stride, padding: 1)),
        ("act", nn.LeakyReLU(0.2)));

    public override (Tensor Depth, Tensor MaskLogit, Tensor Angles) forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != InputSize || images.shape[3] != InputSize)
            throw new EvaluationException("images", $"expected B x 3 x {InputSize} x {InputSize}, got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>();
        var x = images;
        foreach (var block in down) { x = block.call(x); skips.Add(x); }
        var angles = pose.call(x.mean(new long[] { 2, 3 })) * AngleScale;
        for (int i = 0; i < up.Count; i++)
        {
            x = nn.functional.interpolate(x, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
            x = up[i].call(cat(new[] { x, skips[skips.Count - 2 - i] }, 1));
        }
        var output = head.call(x);
        var depth = output[.., 0].tanh() * DepthRange + DepthCentre;
        return (depth.MoveToOuterDisposeScope(), output[.., 1].MoveToOuterDisposeScope(), angles.MoveToOuterDisposeScope());
    }
}
