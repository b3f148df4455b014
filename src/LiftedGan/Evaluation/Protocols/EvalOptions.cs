namespace LiftedGan.Evaluation;

/// <summary>Settings of an FID/KID comparison (defaults follow test_fid.py: 50,000 samples, batch 16).</summary>
public sealed record EvalOptions
{
    /// <summary>Samples per image source (a folder with fewer uses all it has).</summary>
    public int Count { get; init; } = 50000;

    /// <summary>Images per feature-network call.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Seed of side a's random sources; side b uses Seed + 1 (so two equal generators are two samples).</summary>
    public long Seed { get; init; }

    /// <summary>For folder sources: only files whose relative path matches this glob (else the folder's manifest.txt, else all images).</summary>
    public string? FolderGlob { get; init; }

    /// <summary>Folder for cached statistics; null disables the cache.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>KID: number of random subsets and their size (capped at the sample count).</summary>
    public int KidSubsets { get; init; } = 10;

    public int KidSubsetSize { get; init; } = 1000;

    /// <summary>Below this many samples a warning says FID is unstable (the feature dimension, 2048).</summary>
    public const int StableCount = 2048;
}
