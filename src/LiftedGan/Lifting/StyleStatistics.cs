using LiftedGan.StyleGan2;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Statistics of the teacher's w space used by truncation and the style prior (official get_statistics): the mean
/// w (1×D) and w_sigma_inv = 0.5 / (mean over dimensions of the per-dimension unbiased std)². Computed from an
/// explicit seed, in chunks, so it is reproducible (the official code draws it unseeded at every load).
/// </summary>
public sealed class StyleStatistics : IDisposable
{
    public StyleStatistics(Tensor mean, double sigmaInverse)
    {
        Mean = mean;
        SigmaInverse = sigmaInverse;
    }

    public Tensor Mean { get; }
    public double SigmaInverse { get; }

    public static StyleStatistics Compute(StyleGenerator teacher, int samples, long seed, int chunk = 5000)
    {
        if (samples < 2) throw new ArgumentException($"style statistics: need at least 2 samples, got {samples}");
        using var noGrad = no_grad();
        var g = new torch.Generator((ulong)seed);
        int d = teacher.Config.StyleDim;
        var device = teacher.parameters().First().device;
        using var sum = zeros(d, dtype: ScalarType.Float64, device: device);
        using var sumSq = zeros(d, dtype: ScalarType.Float64, device: device);
        for (int done = 0; done < samples; done += chunk)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(chunk, samples - done);
            var z = randn(new long[] { n, d }, generator: g).to(device);
            var w = teacher.Map(z).to(ScalarType.Float64);
            sum.add_(w.sum(0));
            sumSq.add_(w.pow(2).sum(0));
        }
        using var mean = sum / samples;
        using var variance = (sumSq - samples * mean.pow(2)) / (samples - 1);
        double meanStd = variance.clamp_min(0).sqrt().mean().item<double>();
        return new StyleStatistics(mean.to(ScalarType.Float32).view(1, d).DetachFromDisposeScope(), 0.5 / (meanStd * meanStd));
    }

    public void Dispose() => Mean.Dispose();
}
