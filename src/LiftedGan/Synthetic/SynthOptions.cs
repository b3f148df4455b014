namespace LiftedGan.Synthetic;

/// <summary>Which ground-truth files `liftedgan synth` writes besides the images and the index.</summary>
public enum SynthGroundTruth
{
    /// <summary>Every map: canonical depth, albedo, mask, transformation map, rendered depth, rendered mask, normals.</summary>
    Full,

    /// <summary>What the depth benchmark needs: canonical depth, rendered depth, rendered mask.</summary>
    Depth,

    /// <summary>Images, index and parameter arrays only (GAN training data).</summary>
    None,
}

/// <summary>Settings of a synthetic dataset; all but <see cref="Count"/> and <see cref="BatchSize"/> must match to continue a folder.</summary>
public sealed record SynthOptions(int Count, int Size, long Seed, string Output)
{
    /// <summary>Consecutive images sharing one identity (1 = every image a new identity).</summary>
    public int PerIdentity { get; init; } = 1;

    public SynthGroundTruth GroundTruth { get; init; } = SynthGroundTruth.Full;

    /// <summary>Zero asymmetry for every identity.</summary>
    public bool Symmetric { get; init; }

    /// <summary>Images rendered together (speed only; the output does not depend on it).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Throws <see cref="SyntheticWorldException"/> for unusable values.</summary>
    public void Validate()
    {
        if (Count <= 0) throw new SyntheticWorldException("count", $"{Count}: must be at least 1");
        FaceModel.CheckSize(Size);
        if (PerIdentity <= 0) throw new SyntheticWorldException("per identity", $"{PerIdentity}: must be at least 1");
        if (BatchSize <= 0) throw new SyntheticWorldException("batch size", $"{BatchSize}: must be at least 1");
        if (string.IsNullOrWhiteSpace(Output)) throw new SyntheticWorldException("output folder", "no output folder given");
    }
}
