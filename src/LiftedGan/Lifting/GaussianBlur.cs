using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// LiftedGAN's blur (official networks.Blur): a (2·size+1)² kernel with 1-D factor ∝ exp(−((x−size)/(2σ))²), i.e. a
/// Gaussian of standard deviation σ·√2 (the official formula, kept for parity), normalised to sum 1; reflect padding
/// of <c>size</c> and a depthwise convolution, so the output has the input's size. Needs H, W > size.
/// </summary>
public sealed class GaussianBlur : nn.Module<Tensor, Tensor>
{
    readonly Tensor _kernel;
    readonly int _size;

    public GaussianBlur(int size = 10, double sigma = 4) : base(nameof(GaussianBlur))
    {
        if (size < 0 || sigma <= 0) throw new ArgumentException($"blur: size {size} and sigma {sigma} must be ≥ 0 and > 0");
        _size = size;
        using var x = arange(2 * size + 1, dtype: ScalarType.Float64);
        using var f = (-((x - size) / (2 * sigma)).pow(2)).exp();
        using var k2 = f.outer(f);
        _kernel = (k2 / k2.sum()).to(ScalarType.Float32).view(1, 1, 2 * size + 1, 2 * size + 1).DetachFromDisposeScope();
    }

    /// <summary>The normalised (1, 1, K, K) kernel.</summary>
    public Tensor Kernel => _kernel;

    public override Tensor forward(Tensor x) => DepthwiseFilter.Apply(x, _kernel, _size);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _kernel.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Reflect-padded depthwise convolution of (B, C, H, W) with one (1, 1, K, K) kernel for every channel.</summary>
internal static class DepthwiseFilter
{
    public static Tensor Apply(Tensor x, Tensor kernel, int pad)
    {
        if (x.dim() != 4) throw new ArgumentException($"filter: expected (B, C, H, W), got [{string.Join(", ", x.shape)}]");
        if (pad > 0 && (x.shape[2] <= pad || x.shape[3] <= pad))
            throw new ArgumentException($"filter: reflect padding {pad} needs H and W > {pad}, got {x.shape[2]}x{x.shape[3]}");
        using var scope = NewDisposeScope();
        long c = x.shape[1];
        var k = kernel.to(x.dtype, x.device).expand(c, 1, kernel.shape[2], kernel.shape[3]);
        var padded = pad > 0 ? nn.functional.pad(x, new long[] { pad, pad, pad, pad }, PaddingModes.Reflect) : x;
        return ConvGuard.Conv2d(padded, k, groups: c).MoveToOuterDisposeScope();
    }
}
