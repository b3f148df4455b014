using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>The FIR resampling primitives of StyleGAN2: kernel construction and upfirdn2d.</summary>
public static class Fir
{
    /// <summary>
    /// True 2-D convolution (valid region) of every channel with a small kernel, as a sum of shifted slices: two 1-D
    /// passes when the kernel is an outer product (every make_kernel result), all kh·kw taps otherwise. This avoids
    /// libtorch's depthwise convolution, whose CPU backward is very slow.
    /// </summary>
    static Tensor Filter(Tensor x, Tensor kernel)
    {
        var k = kernel.detach().cpu().to_type(ScalarType.Float64);
        int kh = (int)k.shape[0], kw = (int)k.shape[1];
        var taps = k.data<double>().ToArray();
        var rows = k.sum([1L]).data<double>().ToArray();
        var cols = k.sum([0L]).data<double>().ToArray();
        double total = rows.Sum();
        bool separable = total != 0;
        for (int i = 0; i < kh && separable; i++)
            for (int j = 0; j < kw && separable; j++)
                separable = Math.Abs(taps[i * kw + j] - rows[i] * cols[j] / total) <= 1e-7 * Math.Abs(taps.Max(Math.Abs));
        k.Dispose();
        if (separable)
        {
            var colTaps = cols.Select(c => c / total).ToArray();
            return Filter1d(Filter1d(x, rows, 2), colTaps, 3);
        }
        long oh = x.shape[2] - kh + 1, ow = x.shape[3] - kw + 1;
        Tensor? acc = null;
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
            {
                double t = taps[(kh - 1 - i) * kw + (kw - 1 - j)];
                if (t == 0) continue;
                var term = x.narrow(2, i, oh).narrow(3, j, ow) * t;
                acc = acc is null ? term : acc + term;
            }
        return acc ?? zeros([x.shape[0], x.shape[1], oh, ow], dtype: x.dtype, device: x.device);
    }

    /// <summary>True 1-D convolution (valid region) along <paramref name="dim"/>.</summary>
    static Tensor Filter1d(Tensor x, double[] kernel, int dim)
    {
        int k = kernel.Length;
        long len = x.shape[dim] - k + 1;
        Tensor? acc = null;
        for (int j = 0; j < k; j++)
        {
            double t = kernel[k - 1 - j];
            if (t == 0) continue;
            var term = x.narrow(dim, j, len) * t;
            acc = acc is null ? term : acc + term;
        }
        return acc ?? x.narrow(dim, 0, len) * 0;
    }

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
        o = Filter(o, kernel);
        if (down > 1)
            o = o.slice(2, 0, o.shape[2], down).slice(3, 0, o.shape[3], down);
        return o.MoveToOuterDisposeScope();
    }
}
