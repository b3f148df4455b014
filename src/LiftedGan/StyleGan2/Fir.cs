using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>The FIR resampling primitives of StyleGAN2: kernel construction and upfirdn2d.</summary>
public static class Fir
{
    /// <summary>Outer product of a 1-D kernel with itself (a 2-D kernel is used as is), normalised to sum 1.</summary>
    public static Tensor MakeKernel(IReadOnlyList<float> taps)
    {
        using var scope = NewDisposeScope();
        var k = tensor(taps.ToArray(), dtype: float32);
        var k2 = k.unsqueeze(1) * k.unsqueeze(0);
        return (k2 / k2.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Upsamples by zero insertion, pads (negative pads crop), convolves with <paramref name="kernel"/> (a true
    /// convolution: the kernel is flipped) and keeps every <paramref name="down"/>-th sample, identically in x and y.
    /// Output size: (in*up + pad0 + pad1 - k) / down + 1.
    /// </summary>
    public static Tensor Upfirdn2d(Tensor x, Tensor kernel, int up = 1, int down = 1, int pad0 = 0, int pad1 = 0)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var o = x;
        if (up > 1)
        {
            o = o.reshape(n, c, h, 1, w, 1);
            o = nn.functional.pad(o, [0, up - 1, 0, 0, 0, up - 1]);
            o = o.reshape(n, c, h * up, w * up);
        }
        o = nn.functional.pad(o, [Math.Max(pad0, 0), Math.Max(pad1, 0), Math.Max(pad0, 0), Math.Max(pad1, 0)]);
        if (pad0 < 0 || pad1 < 0)
        {
            long cropLo = Math.Max(-pad0, 0), cropHi = Math.Max(-pad1, 0);
            o = o.narrow(2, cropLo, o.shape[2] - cropLo - cropHi).narrow(3, cropLo, o.shape[3] - cropLo - cropHi);
        }
        long kh = kernel.shape[0], kw = kernel.shape[1];
        var weight = kernel.flip(0, 1).to(o.dtype).reshape(1, 1, kh, kw).expand(c, 1, kh, kw);
        o = nn.functional.conv2d(o, weight, groups: c);
        if (down > 1)
            o = o.slice(2, 0, o.shape[2], down).slice(3, 0, o.shape[3], down);
        return o.MoveToOuterDisposeScope();
    }
}
