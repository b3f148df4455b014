using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>Convolution with equalised learning rate: weight ~ N(0,1) scaled by 1/sqrt(in·k²) at run time.</summary>
public sealed class EqualConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly double _scale;
    readonly long _stride, _padding;

    public EqualConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool useBias = true, Generator? rng = null)
        : base(nameof(EqualConv2d))
    {
        weight = new Parameter(randn([outChannels, inChannels, kernelSize, kernelSize], generator: rng));
        if (useBias) bias = new Parameter(zeros(outChannels));
        _scale = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        (_stride, _padding) = (stride, padding);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ConvGuard.Conv2d(x, weight * _scale, bias, stride: [_stride, _stride], padding: [_padding, _padding])
            .MoveToOuterDisposeScope();
    }
}
