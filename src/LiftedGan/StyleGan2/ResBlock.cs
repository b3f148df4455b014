using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>Discriminator residual block: two 3x3 convs (the second downsamples) plus a 1x1 downsampling skip, summed / sqrt(2).</summary>
public sealed class ResBlock : nn.Module<Tensor, Tensor>
{
    readonly Sequential conv1;
    readonly Sequential conv2;
    readonly Sequential skip;

    public ResBlock(long inChannels, long outChannels, IReadOnlyList<float> blurKernel, Generator? rng = null) : base(nameof(ResBlock))
    {
        conv1 = ConvLayer.Create(inChannels, inChannels, 3, false, blurKernel, rng: rng);
        conv2 = ConvLayer.Create(inChannels, outChannels, 3, true, blurKernel, rng: rng);
        skip = ConvLayer.Create(inChannels, outChannels, 1, true, blurKernel, activate: false, bias: false, rng: rng);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var o = conv2.forward(conv1.forward(x));
        return ((o + skip.forward(x)) / Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}
