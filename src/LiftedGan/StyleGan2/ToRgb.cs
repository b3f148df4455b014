using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>1x1 modulated convolution to RGB (no demodulation) plus bias, added to the upsampled previous skip.</summary>
public sealed class ToRgb : nn.Module
{
    readonly Parameter bias;
    readonly FirResample? upsample;
    readonly ModulatedConv2d conv;

    public ToRgb(long inChannels, long styleDim, bool upsampleSkip, IReadOnlyList<float> blurKernel, Generator? rng = null)
        : base(nameof(ToRgb))
    {
        bias = new Parameter(zeros(1, 3, 1, 1));
        if (upsampleSkip) upsample = FirResample.Upsample(blurKernel);
        conv = new ModulatedConv2d(inChannels, 3, 1, styleDim, demodulate: false, upsample: false, blurKernel, rng);
        RegisterComponents();
    }

    /// <summary>The modulated 1x1 convolution alone.</summary>
    public ModulatedConv2d Conv => conv;

    /// <summary>RGB of <paramref name="x"/> under style <paramref name="w"/>, plus the upsampled <paramref name="skip"/> if given.</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? skip)
    {
        using var scope = NewDisposeScope();
        var o = conv.forward(x, w) + bias;
        if (skip is not null) o = o + (upsample is null ? skip : upsample.forward(skip));
        return o.MoveToOuterDisposeScope();
    }
}
