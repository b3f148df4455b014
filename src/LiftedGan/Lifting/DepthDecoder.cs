using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The paper's D_S (official `netD`): decodes a canonical depth map from the neutral style and the teacher's last
/// full-resolution feature map. MLP → 1×1 seed → ConvTranspose to 4×4 → (stages) × [ConvT ×2, GN, ReLU, Conv, GN, ReLU]
/// → nearest ×2 → + 1×1 conv of the feature → head → (B, 1, S, S), no output activation.
/// With <c>outputSize</c> 256 and the defaults it is exactly the official network (5 stages, 512 → 16 channels).
/// </summary>
public sealed class DepthDecoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> mlp;
    readonly nn.Module<Tensor, Tensor> network;
    readonly nn.Module<Tensor, Tensor> inject;
    readonly nn.Module<Tensor, Tensor> head;
    readonly long _seedDim;

    public DepthDecoder(long styleDim = 512, long seedDim = 512, long featureChannels = 16, int outputSize = 256, long baseChannels = 16, int mlpLayers = 4)
        : base(nameof(DepthDecoder))
    {
        int stages = UpsamplingStages(outputSize);
        _seedDim = seedDim;
        var m = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < mlpLayers; i++) { m.Add(nn.Linear(i == 0 ? styleDim : seedDim, seedDim)); m.Add(nn.LeakyReLU(0.2)); }
        mlp = nn.Sequential(m);

        long c = baseChannels << stages;
        var n = new List<nn.Module<Tensor, Tensor>>
        {
            new GuardedConvTranspose2d(seedDim, c, 4, 1, 0, bias: false), nn.ReLU(),
            new GuardedConv2d(c, c, 3, 1, 1, bias: false), nn.ReLU(),
        };
        for (int s = 0; s < stages; s++)
        {
            long o = c / 2;
            n.Add(new GuardedConvTranspose2d(c, o, 4, 2, 1, bias: false)); n.Add(new FeatureGroupNorm(o / 4, o)); n.Add(nn.ReLU());
            n.Add(new GuardedConv2d(o, o, 3, 1, 1, bias: false)); n.Add(new FeatureGroupNorm(o / 4, o)); n.Add(nn.ReLU());
            c = o;
        }
        n.Add(nn.Upsample(scale_factor: new double[] { 2, 2 }, mode: UpsampleMode.Nearest));
        network = nn.Sequential(n);
        inject = new GuardedConv2d(featureChannels, c, 1, 1, 0, bias: false);
        head = nn.Sequential(
            new GuardedConv2d(c, c, 3, 1, 1, bias: false), new FeatureGroupNorm(c / 4, c), nn.ReLU(),
            new GuardedConv2d(c, c, 5, 1, 2, bias: false), new FeatureGroupNorm(c / 4, c), nn.ReLU(),
            new GuardedConv2d(c, 1, 5, 1, 2, bias: true));
        RegisterComponents();
    }

    /// <summary>Number of ×2 transposed-conv stages between 4×4 and S/2 (S = 4·2^(stages+1)).</summary>
    public static int UpsamplingStages(int outputSize)
    {
        int stages = (int)Math.Round(Math.Log2(outputSize)) - 3;
        if (stages < 1 || 4 << (stages + 1) != outputSize)
            throw new ArgumentException($"decoder output size {outputSize}: must be a power of two ≥ 16");
        return stages;
    }

    /// <summary>Neutral style (B, D) and teacher feature (B, C, S, S) → raw depth (B, 1, S, S).</summary>
    public override Tensor forward(Tensor style, Tensor feature)
    {
        using var scope = NewDisposeScope();
        var seed = mlp.forward(style).view(-1, _seedDim, 1, 1);
        var x = network.forward(seed) + inject.forward(feature);
        return head.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>The MLP output alone (parity checks of intermediate stages).</summary>
    public Tensor Seed(Tensor style) => mlp.forward(style);

    /// <summary>The first <paramref name="layers"/> layers of the upsampling network applied to a seed (parity checks).</summary>
    public Tensor NetworkPrefix(Tensor seed, int layers)
    {
        var x = seed.view(-1, _seedDim, 1, 1).alias();
        foreach (var (_, module) in network.named_children().Take(layers))
        {
            var next = ((nn.Module<Tensor, Tensor>)module).forward(x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}
