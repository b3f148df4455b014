using TorchSharp;
using static LiftedGan.Synthetic.FaceParam;

namespace LiftedGan.Synthetic;

/// <summary>
/// Draws face parameters: identity parameters (shape, albedo, hair) from an identity generator, per-image parameters
/// (expression, background, pose, light) and texture noise from an image generator. Every value lies in the range of
/// <see cref="FaceParameters"/>. Seeds are derived with <see cref="SeedFor"/>, so any image of a dataset can be
/// re-created on its own (resuming, streaming, the index) without drawing the images before it.
/// </summary>
public static class FaceSampler
{
    /// <summary>Channels of the per-image noise grid: hair, skin, beard, background red/green/blue.</summary>
    public const int NoiseChannels = 6;

    /// <summary>Side of the per-image noise grid (upsampled to the image size, so a face looks the same at every size).</summary>
    public const int NoiseGrid = 16;

    /// <summary>A well-mixed 64-bit seed for item <paramref name="index"/> of stream <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static ulong SeedFor(long seed, int stream, long index)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + (ulong)index * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (z ^ (z >> 31)) & 0x7FFF_FFFF_FFFF_FFFFUL;
    }

    /// <summary>Identity parameters (the shape and albedo entries of a full row; the rest are zero).</summary>
    public static float[] SampleIdentity(torch.Generator g, bool symmetric = false) =>
        IdentityFromUniforms(Uniforms(g, 2 * FaceParameters.Count), symmetric);

    /// <summary>
    /// Identity parameters from 2P uniforms in [0, 1): entry k (k &lt; P) sets identity parameter k, entry P + k the
    /// on/off draw of parameter k where it has one (facial hair, glasses). Other entries are unused.
    /// </summary>
    public static float[] IdentityFromUniforms(IReadOnlyList<double> u, bool symmetric = false)
    {
        if (u.Count != 2 * FaceParameters.Count) throw new SyntheticWorldException("uniforms", $"{u.Count} values, expected {2 * FaceParameters.Count}");
        var p = new float[FaceParameters.Count];
        foreach (var d in FaceParameters.All.Where(d => d.IsIdentity)) p[(int)d.Id] = Lerp(d, u[(int)d.Id]);
        double flag(FaceParam k) => u[FaceParameters.Count + (int)k];
        p[(int)FacialHair] = flag(FacialHair) < 0.7 ? 0f : (float)(0.3 + 0.7 * u[(int)FacialHair]);
        p[(int)Glasses] = flag(Glasses) < 0.85 ? 0f : 1f;
        if (symmetric) p[(int)Asymmetry] = 0f;
        return p;
    }

    /// <summary>A full parameter row: <paramref name="identity"/> plus expression, background, pose and light from <paramref name="g"/>.</summary>
    public static float[] SampleImage(float[] identity, torch.Generator g)
    {
        if (identity.Length != FaceParameters.Count) throw new SyntheticWorldException("identity", $"has {identity.Length} values, expected {FaceParameters.Count}");
        return ImageFromUniforms(identity, Uniforms(g, FaceParameters.Count));
    }

    /// <summary>
    /// A full parameter row from <paramref name="identity"/> and P uniforms in [0, 1): entry k sets per-image parameter
    /// k (the background tints reuse the other background entries). Identity entries are unused.
    /// </summary>
    public static float[] ImageFromUniforms(float[] identity, IReadOnlyList<double> u)
    {
        if (identity.Length != FaceParameters.Count) throw new SyntheticWorldException("identity", $"has {identity.Length} values, expected {FaceParameters.Count}");
        if (u.Count != FaceParameters.Count) throw new SyntheticWorldException("uniforms", $"{u.Count} values, expected {FaceParameters.Count}");
        var p = (float[])identity.Clone();
        foreach (var d in FaceParameters.All.Where(d => !d.IsIdentity)) p[(int)d.Id] = Lerp(d, u[(int)d.Id]);
        p[(int)MouthOpen] = (float)Math.Max(0, 2 * u[(int)MouthOpen] - 1);
        p[(int)BrowRaise] = (float)Math.Max(0, 1.5 * u[(int)BrowRaise] - 0.5);
        // Muted backgrounds: a grey level per end of the gradient plus a tint of at most ±0.2 per channel.
        for (int end = 0; end < 2; end++)
        {
            var red = end == 0 ? BackgroundRed0 : BackgroundRed1;
            double level = 0.15 + 0.7 * u[(int)red];
            for (int c = 0; c < 3; c++)
            {
                double tint = 0.4 * (u[(int)red + (c + 1) % 3] - 0.5);
                p[(int)red + c] = (float)Math.Clamp(level + tint, 0.05, 0.95);
            }
        }
        return p;
    }

    /// <summary>The per-image texture noise, <see cref="NoiseChannels"/> x <see cref="NoiseGrid"/> x <see cref="NoiseGrid"/>, standard normal.</summary>
    public static torch.Tensor SampleNoise(torch.Generator g) =>
        torch.randn(new long[] { NoiseChannels, NoiseGrid, NoiseGrid }, generator: g);

    static float Lerp(FaceParameter d, double u) => (float)(d.Min + u * (d.Max - d.Min));

    static double[] Uniforms(torch.Generator g, int n)
    {
        using var t = torch.rand(n, torch.float64, generator: g);
        return t.data<double>().ToArray();
    }
}
