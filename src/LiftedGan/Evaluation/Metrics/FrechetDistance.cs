using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Fréchet distance between two Gaussians fitted to feature sets (FID when the features are Inception pool3):
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½). The trace of the matrix square root is computed as Σ√λ of the symmetric
/// PSD matrix Σ₁^½ Σ₂ Σ₁^½ (same eigenvalues as Σ₁Σ₂), in float64; 1e-6·I is added to both covariances when the
/// result would not be finite, as the reference implementation does.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        if (!a.Mean.shape.SequenceEqual(b.Mean.shape))
            throw new ArgumentException($"feature sizes differ: {a.Mean.shape[0]} vs {b.Mean.shape[0]}");
        double d = Core(a.Covariance, b.Covariance, a.Mean, b.Mean, 0);
        return double.IsFinite(d) ? d : Core(a.Covariance, b.Covariance, a.Mean, b.Mean, 1e-6);
    }

    static double Core(Tensor c1, Tensor c2, Tensor m1, Tensor m2, double eps)
    {
        using var scope = NewDisposeScope();
        var eye = torch.eye(c1.shape[0], dtype: ScalarType.Float64);
        var s1 = c1 + eps * eye;
        var s2 = c2 + eps * eye;
        var root1 = SymmetricSqrt(s1);
        var inner = root1.matmul(s2).matmul(root1);
        inner = (inner + inner.t()) / 2;
        var traceSqrt = linalg.eigvalsh(inner).clamp_min(0).sqrt().sum();
        var diff = (m1 - m2).pow(2).sum();
        return (diff + s1.trace() + s2.trace() - 2 * traceSqrt).item<double>();
    }

    /// <summary>Square root of a symmetric positive semi-definite matrix (negative eigenvalues clamped to 0).</summary>
    public static Tensor SymmetricSqrt(Tensor m)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh((m + m.t()) / 2);
        var root = vectors.matmul(torch.diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
        return root.MoveToOuterDisposeScope();
    }
}
