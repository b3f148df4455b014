using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Torch;

/// <summary>
/// <c>nn.Conv2d</c> with the same parameters, state-dict keys (<c>weight</c>, <c>bias</c>) and initialisation, computed
/// through <see cref="ConvGuard"/>. Zero padding only.
/// </summary>
public sealed class GuardedConv2d : Convolution
{
    /// <summary>Same arguments as <c>nn.Conv2d</c>.</summary>
    public GuardedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(GuardedConv2d), inChannels, outChannels, [kernelSize, kernelSize], [stride, stride],
            [padding, padding], null, [dilation, dilation], false, [0, 0], groups, bias, PaddingModes.Zeros, null, null)
    {
    }

    /// <summary>Rectangular kernel, stride and padding (height, width).</summary>
    public GuardedConv2d(long inChannels, long outChannels, (long H, long W) kernelSize, (long H, long W) stride,
        (long H, long W) padding, bool bias = true)
        : base(nameof(GuardedConv2d), inChannels, outChannels, [kernelSize.H, kernelSize.W], [stride.H, stride.W],
            [padding.H, padding.W], null, [1, 1], false, [0, 0], 1, bias, PaddingModes.Zeros, null, null)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        ConvGuard.Conv2d(input, weight, bias, stride, padding, dilation, groups);
}

/// <summary>
/// <c>nn.ConvTranspose2d</c> with the same parameters, state-dict keys and initialisation, computed through
/// <see cref="ConvGuard"/>.
/// </summary>
public sealed class GuardedConvTranspose2d : Convolution
{
    /// <summary>Same arguments as <c>nn.ConvTranspose2d</c>.</summary>
    public GuardedConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, long groups = 1, bool bias = true, long dilation = 1)
        : base(nameof(GuardedConvTranspose2d), inChannels, outChannels, [kernelSize, kernelSize], [stride, stride],
            [padding, padding], null, [dilation, dilation], true, [outputPadding, outputPadding], groups, bias,
            PaddingModes.Zeros, null, null)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        ConvGuard.ConvTranspose2d(input, weight, bias, stride, padding, output_padding, dilation, groups);
}
