using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// StyleGAN2's style-modulated convolution: a per-sample kernel scale·weight·s (s = modulation(w) per input channel),
/// optionally demodulated per output filter, run as one grouped convolution. The upsampling variant runs a stride-2
/// transposed convolution followed by the [1,3,3,1] blur, giving exactly twice the input size.
/// </summary>
public sealed class ModulatedConv2d : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Parameter weight;
    readonly EqualLinear modulation;
    readonly FirResample? blur;
    readonly double _scale;
    readonly bool _demodulate;
    readonly long _in, _out, _k;

    public ModulatedConv2d(long inChannels, long outChannels, long kernelSize, long styleDim, bool demodulate,
        bool upsample, IReadOnlyList<float> blurKernel, Generator? rng = null) : base(nameof(ModulatedConv2d))
    {
        (_in, _out, _k, _demodulate) = (inChannels, outChannels, kernelSize, demodulate);
        _scale = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        weight = new Parameter(randn([1, outChannels, inChannels, kernelSize, kernelSize], generator: rng));
        modulation = new EqualLinear(styleDim, inChannels, biasInit: 1, rng: rng);
        if (upsample)
        {
            const int factor = 2;
            int p = blurKernel.Count - factor - ((int)kernelSize - 1);
            blur = FirResample.Blur(blurKernel, FloorHalf(p + 1) + factor - 1, FloorHalf(p) + 1, factor);
        }
        RegisterComponents();
    }

    static int FloorHalf(int v) => (int)Math.Floor(v / 2.0);

    /// <summary>The per-input-channel style s = modulation(w), shape (B, in).</summary>
    public Tensor Style(Tensor w) => modulation.forward(w);

    /// <summary>
    /// Runs the convolution with the style applied to the activations (x·s, shared weight, output·demod), which equals
    /// the per-sample-kernel grouped form exactly in real arithmetic and is far faster on CPU (dense convolutions).
    /// </summary>
    public override Tensor forward(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        var s = modulation.forward(w);
        var kernel = weight[0] * _scale;
        var o = x * s.reshape(b, _in, 1, 1);
        Tensor? demod = null;
        if (_demodulate)
            demod = rsqrt(s.square().matmul(kernel.square().sum([2, 3]).t()) + 1e-8).reshape(b, _out, 1, 1);
        if (blur is not null)
        {
            o = ConvGuard.ConvTranspose2d(o, kernel.transpose(0, 1), stride: [2, 2], padding: [0, 0]);
            if (demod is not null) o = o * demod;
            o = blur.forward(o);
        }
        else
        {
            o = ConvGuard.Conv2d(o, kernel, padding: [_k / 2, _k / 2]);
            if (demod is not null) o = o * demod;
        }
        return o.MoveToOuterDisposeScope();
    }
}
