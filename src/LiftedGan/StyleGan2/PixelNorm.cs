using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>x · rsqrt(mean over dim 1 of x² + 1e-8): the first layer of the mapping network (no parameters).</summary>
public sealed class PixelNorm : nn.Module<Tensor, Tensor>
{
    public PixelNorm() : base(nameof(PixelNorm)) { }

    public override Tensor forward(Tensor x) => Normalise(x);

    /// <summary>The pixel norm of rows <paramref name="x"/> (B × D): each row scaled to ‖row‖² ≈ D, as the mapping network sees its latent.</summary>
    public static Tensor Normalise(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x * rsqrt(x.square().mean([1], keepdim: true) + 1e-8)).MoveToOuterDisposeScope();
    }
}
