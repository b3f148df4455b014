using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The paper's D_T (official `netT`): decodes the transformation-map logits from the neutral style. A narrow MLP →
/// 1×1 seed → ConvTranspose to 4×4 → (stages) × [ConvT ×2, GN, ReLU] → nearest ×2 → Conv, GN, ReLU → Conv (no bias).
/// The caller applies sigmoid(x + 5) (official; <see cref="LiftingConfig.TransformationBias"/>). With <c>outputSize</c> 256 and the defaults it is the official network.
/// </summary>
public sealed class TransformationMapDecoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> mlp;
    readonly nn.Module<Tensor, Tensor> network;
    readonly long _seedDim;

    public TransformationMapDecoder(long styleDim = 512, long seedDim = 16, int outputSize = 256, long baseChannels = 16, int mlpLayers = 4)
        : base(nameof(TransformationMapDecoder))
    {
        int stages = DepthDecoder.UpsamplingStages(outputSize);
        _seedDim = seedDim;
        var m = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < mlpLayers; i++) { m.Add(nn.Linear(i == 0 ? styleDim : seedDim, seedDim)); m.Add(nn.LeakyReLU(0.2)); }
        mlp = nn.Sequential(m);

        long c = baseChannels << stages;
        var n = new List<nn.Module<Tensor, Tensor>> { new GuardedConvTranspose2d(seedDim, c, 4, 1, 0, bias: false), nn.ReLU() };
        for (int s = 0; s < stages; s++)
        {
            long o = c / 2;
            n.Add(new GuardedConvTranspose2d(c, o, 4, 2, 1, bias: false)); n.Add(new FeatureGroupNorm(o / 4, o)); n.Add(nn.ReLU());
            c = o;
        }
        n.Add(nn.Upsample(scale_factor: new double[] { 2, 2 }, mode: UpsampleMode.Nearest));
        n.Add(new GuardedConv2d(c, c, 3, 1, 1, bias: false)); n.Add(new FeatureGroupNorm(c / 4, c)); n.Add(nn.ReLU());
        n.Add(new GuardedConv2d(c, 1, 5, 1, 2, bias: false));
        network = nn.Sequential(n);
        RegisterComponents();
    }

    /// <summary>Neutral style (B, D) → transformation-map logits (B, 1, S, S).</summary>
    public override Tensor forward(Tensor style)
    {
        using var scope = NewDisposeScope();
        return network.forward(mlp.forward(style).view(-1, _seedDim, 1, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>The MLP output alone (parity checks).</summary>
    public Tensor Seed(Tensor style) => mlp.forward(style);
}
