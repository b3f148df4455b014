using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Kernel Inception Distance: the unbiased MMD² with the cubic polynomial kernel k(x, y) = (x·y/d + 1)³, averaged
/// over random subsets (Bińkowski et al.), with the subsets' standard deviation. Unbiased, so it can be slightly
/// negative for identical distributions. When the smaller set has no more than <c>subsetSize</c> samples, subsets of
/// half of it are drawn instead (whole-set subsets would all be the same set, and their spread a meaningless 0; below 4
/// samples the whole set is used); the estimate stays unbiased.
/// </summary>
public static class KernelDistance
{
    public static (double Mean, double Std) Compute(Tensor a, Tensor b, int subsets = 10, int subsetSize = 1000, long seed = 0)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"KID needs (N, D) features of equal D, got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
        long n = Math.Min(a.shape[0], b.shape[0]);
        long m = n > subsetSize ? subsetSize : n >= 4 ? n / 2 : n;
        if (m < 2) throw new ArgumentException($"KID needs at least 2 samples per set, got {n}");
        var g = new torch.Generator((ulong)seed);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            using var scope = NewDisposeScope();
            var x = a.index_select(0, randperm(a.shape[0], generator: g)[..(int)m]).to(ScalarType.Float64);
            var y = b.index_select(0, randperm(b.shape[0], generator: g)[..(int)m]).to(ScalarType.Float64);
            values[s] = Mmd2(x, y);
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Sum() / Math.Max(1, subsets - 1));
        return (mean, std);
    }

    static double Mmd2(Tensor x, Tensor y)
    {
        long d = x.shape[1], m = x.shape[0];
        var kxx = (x.matmul(x.t()) / d + 1).pow(3);
        var kyy = (y.matmul(y.t()) / d + 1).pow(3);
        var kxy = (x.matmul(y.t()) / d + 1).pow(3);
        double sxx = (kxx.sum() - kxx.diagonal().sum()).item<double>() / (m * (m - 1));
        double syy = (kyy.sum() - kyy.diagonal().sum()).item<double>() / (m * (m - 1));
        double sxy = kxy.mean().item<double>();
        return sxx + syy - 2 * sxy;
    }
}
