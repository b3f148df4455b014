using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// One side of a comparison: feature statistics, the features themselves when known (KID needs them; official
/// statistics files hold none), the image size they came from when known, which network made them, and a
/// description for printing.
/// </summary>
public sealed class EvalSet : IDisposable
{
    public EvalSet(FeatureStatistics statistics, Tensor? features, int? resolution, string network, string description)
    {
        Statistics = statistics;
        Features = features;
        Resolution = resolution;
        Network = network;
        Description = description;
    }

    public FeatureStatistics Statistics { get; }

    /// <summary>(N, 2048) float32 features, or null for a statistics-only source.</summary>
    public Tensor? Features { get; }

    public int? Resolution { get; }

    /// <summary>The feature network's <see cref="InceptionNetwork.Id"/>, or "official-fid-inception" for a .pkl.</summary>
    public string Network { get; }

    public string Description { get; }

    public long Count => Statistics.Count;

    public void Dispose()
    {
        Statistics.Dispose();
        Features?.Dispose();
    }
}
