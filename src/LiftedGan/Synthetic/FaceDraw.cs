using TorchSharp;

namespace LiftedGan.Synthetic;

/// <summary>
/// Everything random about one image: its index in the stream, its identity, its parameter row (see
/// <see cref="FaceParameters"/>) and its texture noise (6 x 16 x 16). Owns the noise tensor.
/// </summary>
public sealed record FaceDraw(long Index, long Identity, float[] Parameters, torch.Tensor Noise) : IDisposable
{
    /// <summary>
    /// Image <paramref name="index"/> of the stream with seed <paramref name="seed"/>: identity index / perIdentity
    /// (identity parameters from its own seed), per-image parameters and noise from the image's seed. Independent of
    /// every other image, so datasets can be written in any order and resumed.
    /// </summary>
    public static FaceDraw Create(long seed, long index, int perIdentity = 1, bool symmetric = false)
    {
        if (perIdentity <= 0) throw new SyntheticWorldException("per identity", $"{perIdentity}: must be at least 1");
        if (index < 0) throw new SyntheticWorldException("index", $"{index}: must be 0 or more");
        long identity = index / perIdentity;
        using var identityGenerator = new torch.Generator(FaceSampler.SeedFor(seed, 0, identity));
        var identityRow = FaceSampler.SampleIdentity(identityGenerator, symmetric);
        using var imageGenerator = new torch.Generator(FaceSampler.SeedFor(seed, 1, index));
        var row = FaceSampler.SampleImage(identityRow, imageGenerator);
        var noise = FaceSampler.SampleNoise(imageGenerator);
        return new FaceDraw(index, identity, row, noise);
    }

    /// <summary>The raw 4-d light of the renderer (tanh range): [2a - 1, 2b - 1, dx, dy].</summary>
    public float[] RawLight => new[]
    {
        2 * Parameters[(int)FaceParam.Ambient] - 1, 2 * Parameters[(int)FaceParam.Diffuse] - 1,
        Parameters[(int)FaceParam.LightX], Parameters[(int)FaceParam.LightY],
    };

    /// <summary>The view in radians and world units [pitch, yaw, roll, tx, ty, tz] (the renderer's rx, ry, rz, t).</summary>
    public float[] View => new[]
    {
        (float)(Parameters[(int)FaceParam.Pitch] * Math.PI / 180), (float)(Parameters[(int)FaceParam.Yaw] * Math.PI / 180),
        (float)(Parameters[(int)FaceParam.Roll] * Math.PI / 180), Parameters[(int)FaceParam.TranslationX],
        Parameters[(int)FaceParam.TranslationY], Parameters[(int)FaceParam.TranslationZ],
    };

    public void Dispose() => Noise.Dispose();
}
