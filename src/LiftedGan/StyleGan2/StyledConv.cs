using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>Modulated 3x3 convolution (demodulated), noise injection, then the fused leaky ReLU with its bias.</summary>
public sealed class StyledConv : nn.Module
{
    readonly ModulatedConv2d conv;
    readonly NoiseInjection noise;
    readonly FusedLeakyRelu activate;

    public StyledConv(long inChannels, long outChannels, long styleDim, bool upsample, IReadOnlyList<float> blurKernel, Generator? rng = null)
        : base(nameof(StyledConv))
    {
        conv = new ModulatedConv2d(inChannels, outChannels, 3, styleDim, demodulate: true, upsample, blurKernel, rng);
        noise = new NoiseInjection();
        activate = new FusedLeakyRelu(outChannels);
        RegisterComponents();
    }

    /// <summary>The modulated convolution alone (before noise, bias and activation).</summary>
    public ModulatedConv2d Conv => conv;

    /// <summary>Runs the layer; a null <paramref name="noiseMap"/> draws fresh noise from <paramref name="rng"/>.</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? noiseMap, Generator? rng = null)
    {
        using var scope = NewDisposeScope();
        var o = conv.forward(x, w);
        o = noise.Forward(o, noiseMap, rng);
        return activate.forward(o).MoveToOuterDisposeScope();
    }
}
