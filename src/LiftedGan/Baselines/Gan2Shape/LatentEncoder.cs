using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// GAN2Shape's residual down block (§1.2): ReLU, 3×3 stride-2 convolution, ReLU, 3×3 convolution; shortcut 2×2 average
/// pooling, with a 1×1 convolution when the channels change. Bias-free.
/// </summary>
public sealed class ResidualDownBlock : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> main;
    readonly nn.Module<Tensor, Tensor>? shortcut;

    public ResidualDownBlock(long inChannels, long outChannels) : base(nameof(ResidualDownBlock))
    {
        main = nn.Sequential(nn.ReLU(), new GuardedConv2d(inChannels, outChannels, 3, 2, 1, bias: false), nn.ReLU(),
            new GuardedConv2d(outChannels, outChannels, 3, 1, 1, bias: false));
        shortcut = inChannels == outChannels ? null : new GuardedConv2d(inChannels, outChannels, 1, 1, 0, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var skip = nn.functional.avg_pool2d(x, 2, 2);
        if (shortcut is not null) skip = shortcut.forward(skip);
        return (main.forward(x) + skip).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// GAN2Shape's latent encoder E (official ResEncoder, §1.2): a 4×4 stride-2 convolution to c, residual down blocks
/// doubling the channels down to 4×4 (c → 2c → 4c → 8c at 64 px), ReLU, a 4×4 valid convolution to twice the last
/// width, ReLU, and a 1×1 convolution to the latent size (no activation). Its output is the latent offset's input.
/// </summary>
public sealed class LatentEncoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> network;

    /// <param name="imageSize">Input side S (a power of two ≥ 16).</param>
    /// <param name="latentSize">Output size (the teacher's style dimension, 512 officially).</param>
    /// <param name="channels">First width (official 32).</param>
    public LatentEncoder(int imageSize, long latentSize, long channels = 32) : base(nameof(LatentEncoder))
    {
        if (imageSize < 16 || (imageSize & (imageSize - 1)) != 0)
            throw new Gan2ShapeException("image size", $"{imageSize}: must be a power of two ≥ 16");
        if (latentSize < 1 || channels < 1) throw new Gan2ShapeException("latent encoder", $"latent size {latentSize} and channels {channels} must be ≥ 1");
        int blocks = (int)Math.Round(Math.Log2(imageSize)) - 3;
        var layers = new List<nn.Module<Tensor, Tensor>> { new GuardedConv2d(3, channels, 4, 2, 1, bias: false) };
        long c = channels;
        for (int i = 0; i < blocks; i++)
        {
            layers.Add(new ResidualDownBlock(c, c * 2));
            c *= 2;
        }
        layers.Add(nn.ReLU());
        layers.Add(new GuardedConv2d(c, c * 2, 4, 1, 0, bias: false));
        layers.Add(nn.ReLU());
        layers.Add(new GuardedConv2d(c * 2, latentSize, 1, 1, 0, bias: false));
        network = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Images (B, 3, S, S) in [−1, 1] → (B, latent size).</summary>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        return network.forward(image).flatten(1).MoveToOuterDisposeScope();
    }
}
