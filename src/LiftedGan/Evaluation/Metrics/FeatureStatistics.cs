using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Mean and covariance (ddof = 1) of a feature set, in float64; what FID compares.</summary>
public sealed class FeatureStatistics : IDisposable
{
    public FeatureStatistics(Tensor mean, Tensor covariance, long count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    public Tensor Mean { get; }
    public Tensor Covariance { get; }
    public long Count { get; }

    /// <summary>Statistics of (N, D) features; needs N ≥ 2.</summary>
    public static FeatureStatistics FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"features must be (N, D), got [{string.Join(", ", features.shape)}]");
        long n = features.shape[0];
        if (n < 2) throw new ArgumentException($"need at least 2 feature vectors for a covariance, got {n}");
        using var scope = NewDisposeScope();
        var f = features.to(ScalarType.Float64);
        var mean = f.mean(new long[] { 0 });
        var centred = f - mean;
        var cov = centred.t().matmul(centred) / (n - 1);
        return new FeatureStatistics(mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope(), n);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
