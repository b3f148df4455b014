using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// Sliced Wasserstein-1 distance between two equally sized image sets, each image a point in R^(C·H·W): the mean over
/// random unit directions of the mean absolute difference of the sorted projections. Lower is closer.
/// </summary>
public static class SlicedWasserstein
{
    public static double Distance(Tensor a, Tensor b, int directions, Generator g)
    {
        if (a.shape[0] != b.shape[0]) throw new ArgumentException($"sliced Wasserstein: set sizes differ ({a.shape[0]} vs {b.shape[0]})");
        using var scope = NewDisposeScope();
        var x = a.detach().reshape(a.shape[0], -1).to(ScalarType.Float64);
        var y = b.detach().reshape(b.shape[0], -1).to(ScalarType.Float64);
        var dirs = randn([x.shape[1], directions], dtype: ScalarType.Float64, generator: g);
        dirs = dirs / dirs.norm(0, keepdim: true);
        var px = x.matmul(dirs).sort(0).Values;
        var py = y.matmul(dirs).sort(0).Values;
        return (px - py).abs().mean().item<double>();
    }
}
