using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// The expression estimator of the control generators' disentanglement score (the expression part of Deng et al.'s
/// reconstruction network in DiscoFaceGAN, which our <see cref="PoseDepthEstimator"/> lacks): a small CNN from a face
/// image B × 3 × S × S in [-1, 1] (S = 32 or 64) to the face world's three expression parameters B × 3, in
/// <see cref="Parameters"/> order (smile, mouth opening, brow raise; each in [0, 1]). 3 × 3 conv + GroupNorm (groups of 4 channels) + LeakyReLU blocks
/// down to 8 × 8 (4 × 4 at 32 px), the spatial mean and maximum of each channel (the cues, an open mouth or raised
/// brows, are a few pixels wide and move with the head's pose, so they are detected wherever they are), then two linear
/// layers. Trained on procedural world renders whose exact values are known (<see cref="ExpressionTrainer"/>).
/// </summary>
public sealed class ExpressionEstimator : nn.Module<Tensor, Tensor>
{
    /// <summary>The face-world parameters it estimates, in output order.</summary>
    public static readonly IReadOnlyList<FaceParam> Parameters = [FaceParam.Smile, FaceParam.MouthOpen, FaceParam.BrowRaise];

    readonly Sequential features;
    readonly Sequential head;

    /// <summary>Builds the network for <paramref name="size"/> px inputs with base channel width <paramref name="width"/>.</summary>
    public ExpressionEstimator(int size = 64, long width = 16) : base(nameof(ExpressionEstimator))
    {
        if (size != 32 && size != 64) throw new EvaluationException("size", $"{size}: the expression estimator takes 32 or 64 px images");
        if (width < 4 || width % 4 != 0) throw new EvaluationException("width", $"{width}: must be a multiple of 4 (GroupNorm groups of 4 channels)");
        InputSize = size;
        Width = width;
        const int levels = 3; // down to 8 × 8 (64 px) or 4 × 4 (32 px)
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv0", new GuardedConv2d(3, width, 3, padding: 1)), ("act0", nn.LeakyReLU(0.2)),
            ("conv0b", new GuardedConv2d(width, width, 3, padding: 1)), ("norm0b", new FeatureGroupNorm(width / 4, width)), ("act0b", nn.LeakyReLU(0.2)),
        };
        long channels = width;
        for (int i = 1; i <= levels; i++)
        {
            long next = width * (1L << Math.Min(i, 2));
            layers.Add(($"conv{i}", new GuardedConv2d(channels, next, 3, stride: 2, padding: 1)));
            layers.Add(($"norm{i}", new FeatureGroupNorm(next / 4, next)));
            layers.Add(($"act{i}", nn.LeakyReLU(0.2)));
            channels = next;
        }
        features = nn.Sequential(layers.ToArray());
        head = nn.Sequential(("fc0", nn.Linear(channels * 2, 64)), ("act", nn.LeakyReLU(0.2)), ("fc1", nn.Linear(64, Parameters.Count)));
        RegisterComponents();
    }

    /// <summary>Input image size in pixels.</summary>
    public int InputSize { get; }

    /// <summary>Base channel width.</summary>
    public long Width { get; }

    /// <summary>Raw estimates B × 3 (trained towards values in [0, 1]; <see cref="ExpressionTraining.Predict"/> clamps them).</summary>
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != InputSize || images.shape[3] != InputSize)
            throw new EvaluationException("images", $"expected B x 3 x {InputSize} x {InputSize}, got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        var f = features.call(images);
        var pooled = cat(new[] { f.mean(new long[] { 2, 3 }), f.amax(new long[] { 2, 3 }) }, 1);
        return head.call(pooled).MoveToOuterDisposeScope();
    }
}
