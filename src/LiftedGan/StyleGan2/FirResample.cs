using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// A FIR filter module holding its kernel as the buffer `kernel` (the official Blur, Upsample and Downsample):
/// upfirdn2d with a fixed factor and padding.
/// </summary>
public sealed class FirResample : nn.Module<Tensor, Tensor>
{
    readonly Tensor kernel;
    readonly int _up, _down, _pad0, _pad1;

    FirResample(IReadOnlyList<float> taps, double gain, int up, int down, int pad0, int pad1) : base(nameof(FirResample))
    {
        using (var k = Fir.MakeKernel(taps)) kernel = k.mul(gain);
        (_up, _down, _pad0, _pad1) = (up, down, pad0, pad1);
        RegisterComponents();
    }

    /// <summary>Blur with padding (pad0, pad1); <paramref name="upsampleFactor"/> > 1 scales the kernel by factor².</summary>
    public static FirResample Blur(IReadOnlyList<float> taps, int pad0, int pad1, int upsampleFactor = 1) =>
        new(taps, upsampleFactor * upsampleFactor, 1, 1, pad0, pad1);

    /// <summary>The ToRGB skip upsampler: 2x zero insertion, kernel ×4, pads chosen so the output is exactly 2x.</summary>
    public static FirResample Upsample(IReadOnlyList<float> taps, int factor = 2)
    {
        int p = taps.Count - factor;
        return new(taps, factor * factor, factor, 1, (p + 1) / 2 + factor - 1, p / 2);
    }

    public override Tensor forward(Tensor x) => Fir.Upfirdn2d(x, kernel, _up, _down, _pad0, _pad1);
}
