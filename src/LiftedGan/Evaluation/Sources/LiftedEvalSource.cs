using System.Security.Cryptography;
using LiftedGan.Data;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Samples of a lifted generator as the official FID protocol draws them: z ~ N(0, I), no truncation, rendered at the
/// predicted view and light, clamped to [-1, 1].
/// </summary>
public sealed class LiftedEvalSource(LiftedSampler sampler) : IImageSource
{
    readonly string description = Describe(sampler.CheckpointPath);

    static string Describe(string path)
    {
        using var stream = File.OpenRead(path);
        return $"lift:{Path.GetFullPath(path)} (sha256 {Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}, psi 1, predicted view and light)";
    }

    public string Describe() => description;

    public int? Resolution => sampler.ImageSize;

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var z = randn(new long[] { n, sampler.StyleDim }, generator: g);
        using var maps = sampler.Maps(z, 1.0);
        return maps.Render.clone();
    }
}
