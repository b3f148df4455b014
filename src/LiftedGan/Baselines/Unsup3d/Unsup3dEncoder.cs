using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// Unsup3d's plain encoder (the light and view networks, §2.1): stride-2 4×4 convolutions with ReLU from S down to 4×4
/// (channels nf, 2nf, 4nf, 8nf, capped at 8nf), a 4×4 valid convolution to 1×1 with ReLU, a 1×1 convolution to the
/// outputs and tanh. At 64 px and nf 32 these are the official layers.
/// </summary>
public sealed class Unsup3dEncoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> network;

    /// <param name="imageSize">Input side S (a power of two ≥ 16).</param>
    /// <param name="outputs">Output values per image (4 for the light, 6 for the view).</param>
    /// <param name="channels">Base channels nf.</param>
    public Unsup3dEncoder(int imageSize, long outputs, long channels = 32) : base(nameof(Unsup3dEncoder))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = 3;
        foreach (long next in DownChannels(imageSize, channels))
        {
            layers.Add(new GuardedConv2d(c, next, 4, 2, 1, bias: false));
            layers.Add(nn.ReLU());
            c = next;
        }
        layers.Add(new GuardedConv2d(c, c, 4, 1, 0, bias: false));
        layers.Add(nn.ReLU());
        layers.Add(new GuardedConv2d(c, outputs, 1, 1, 0, bias: false));
        layers.Add(nn.Tanh());
        network = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>
    /// Output channels of the stride-2 stages from S down to 4×4: nf·2^i, capped at 8·nf (four stages at 64 px).
    /// </summary>
    public static IReadOnlyList<long> DownChannels(int imageSize, long channels)
    {
        if (imageSize < 16 || (imageSize & (imageSize - 1)) != 0)
            throw new Unsup3dException("image size", $"{imageSize}: must be a power of two ≥ 16");
        int stages = (int)Math.Round(Math.Log2(imageSize)) - 2;
        return Enumerable.Range(0, stages).Select(i => channels << Math.Min(i, 3)).ToList();
    }

    /// <summary>Image (B, 3, S, S) in [−1, 1] → (B, outputs) in (−1, 1).</summary>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        return network.forward(image).flatten(1).MoveToOuterDisposeScope();
    }
}
