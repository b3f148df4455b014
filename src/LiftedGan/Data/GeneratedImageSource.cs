using System.Security.Cryptography;
using static TorchSharp.torch;

namespace LiftedGan.Data;

/// <summary>
/// An unlimited image source drawn from a network with a seeded generator: what every such source shares (no count,
/// random, each batch made without gradients in its own dispose scope). A subclass says what it is and draws.
/// </summary>
public abstract class GeneratedImageSource : IImageSource
{
    public abstract string Describe();

    public abstract int? Resolution { get; }

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Draw(n, g).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="n"/> images (B × 3 × S × S, in [−1, 1]) drawn with <paramref name="g"/>.</summary>
    protected abstract Tensor Draw(int n, Generator g);

    /// <summary>KIND:full path (sha256 of the file, first 16 hex digits, NOTE): a checkpoint source's description (and cache key).</summary>
    protected static string CheckpointLabel(string kind, string checkpoint, string note)
    {
        using var stream = File.OpenRead(checkpoint);
        return $"{kind}:{Path.GetFullPath(checkpoint)} (sha256 {Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}, {note})";
    }
}
