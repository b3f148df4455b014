using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The fixed map from a StyleGAN2 latent z to a face of the procedural world. A generator trained to reproduce the
/// world's render of map(z) (the world-fit objective of StyleGAN2 training) then comes with the exact truth of every sample
/// it draws at truncation 1: canonical and view depth, normals, albedo, mask, view and light (<see cref="Truth"/>).
/// <para>
/// z is first normalised as the mapping network's PixelNorm does, ẑ = z·√D/‖z‖, because the generator never sees ‖z‖.
/// Dimensions of ẑ: 0–28 the identity parameters (shape, albedo, hair) in <see cref="FaceParam"/> order; 29–30 the
/// on/off draws of facial hair and glasses; 31–51 the per-image parameters (expression, background, pose, light). Each
/// goes through the normal CDF Φ into the uniform that <see cref="FaceSampler"/> would have drawn, so every parameter
/// has the distribution of the world's own sampler. The remaining D − 52 dimensions (at least 12) give the
/// 6 × 16 × 16 texture noise through a fixed matrix (entries N(0, 1/(D − 52)) from SplitMix64 with seed
/// <see cref="NoiseSeed"/>), so each noise cell is standard normal as in the world, with rank D − 52.
/// </para>
/// </summary>
public static class LatentFaces
{
    /// <summary>Seed of the fixed latent-to-noise matrix.</summary>
    public const ulong NoiseSeed = 0x4C69667465644741UL;

    static readonly FaceParam[] IdentityParams = FaceParameters.All.Where(p => p.IsIdentity).Select(p => p.Id).ToArray();
    static readonly FaceParam[] Flags = [FaceParam.FacialHair, FaceParam.Glasses];
    static readonly FaceParam[] ImageParams = FaceParameters.All.Where(p => !p.IsIdentity).Select(p => p.Id).ToArray();
    static readonly ConcurrentDictionary<int, Tensor> NoiseMatrices = new();

    /// <summary>Latent dimensions that carry parameters (the rest carry texture noise).</summary>
    public static int ParameterDimensions => IdentityParams.Length + Flags.Length + ImageParams.Length;

    /// <summary>Smallest latent size accepted (parameters plus 12 noise dimensions).</summary>
    public static int MinimumDimension => ParameterDimensions + 12;

    /// <summary>The world draws of the rows of <paramref name="z"/> (B x D); Index and Identity are the row numbers.</summary>
    public static IReadOnlyList<FaceDraw> Draws(Tensor z)
    {
        if (z.dim() != 2) throw new SyntheticWorldException("z", $"shape [{string.Join(", ", z.shape)}], expected [B, D]");
        int d = (int)z.shape[1];
        if (d < MinimumDimension)
            throw new SyntheticWorldException("z", $"{d} dimensions; the latent map needs at least {MinimumDimension}");
        using var scope = NewDisposeScope();
        var zn = Normalised(z.detach().cpu());
        var u = special.ndtr(zn.narrow(1, 0, ParameterDimensions)).clamp(0, 1 - 1e-12).data<double>().ToArray();
        var noise = zn.narrow(1, ParameterDimensions, d - ParameterDimensions).to(float32)
            .matmul(NoiseMatrix(d - ParameterDimensions))
            .view(-1, FaceSampler.NoiseChannels, FaceSampler.NoiseGrid, FaceSampler.NoiseGrid);
        var draws = new List<FaceDraw>();
        for (int row = 0; row < z.shape[0]; row++)
            draws.Add(new FaceDraw(row, row, ParametersFromUniforms(u, row * ParameterDimensions), noise[row].clone().DetachFromDisposeScope()));
        return draws;
    }

    /// <summary>
    /// The face-model parameter row of the <see cref="ParameterDimensions"/> uniforms at <paramref name="offset"/> of
    /// <paramref name="u"/>, in latent order (identity parameters, the two flags, image parameters); the world's sampler
    /// turns them into parameters.
    /// </summary>
    public static float[] ParametersFromUniforms(double[] u, int offset)
    {
        int p = FaceParameters.Count, j = offset;
        var identityU = Enumerable.Repeat(0.5, 2 * p).ToArray();
        foreach (var id in IdentityParams) identityU[(int)id] = u[j++];
        foreach (var id in Flags) identityU[p + (int)id] = u[j++];
        var imageU = Enumerable.Repeat(0.5, p).ToArray();
        foreach (var id in ImageParams) imageU[(int)id] = u[j++];
        return FaceSampler.ImageFromUniforms(FaceSampler.IdentityFromUniforms(identityU), imageU);
    }

    /// <summary>The latent dimension that sets parameter <paramref name="p"/>.</summary>
    public static int DimensionOf(FaceParam p)
    {
        int i = Array.IndexOf(IdentityParams, p);
        if (i >= 0) return i;
        i = Array.IndexOf(ImageParams, p);
        return IdentityParams.Length + Flags.Length + i;
    }

    /// <summary>The pose parameters and the light direction: what <see cref="Frontal"/> sets to the middle of its range (0).</summary>
    static readonly FaceParam[] ViewAndLightDirection =
        [FaceParam.Pitch, FaceParam.Yaw, FaceParam.Roll, FaceParam.TranslationX, FaceParam.TranslationY, FaceParam.TranslationZ, FaceParam.LightX, FaceParam.LightY];

    /// <summary>
    /// The latents of the same faces seen frontally under frontal light: in the normalised ẑ the pose and light-direction
    /// dimensions are set to 0 (the middle of their symmetric ranges) and the texture-noise dimensions are scaled so that
    /// ‖ẑ‖² stays D; every other parameter (identity, expression, ambient and diffuse strength, background) is unchanged,
    /// the texture noise grows by that scale (about 2 % at D = 256). Returned normalised (‖row‖ = √D).
    /// </summary>
    public static Tensor Frontal(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] < MinimumDimension)
            throw new SyntheticWorldException("z", $"shape [{string.Join(", ", z.shape)}], expected [B, D] with D ≥ {MinimumDimension}");
        int d = (int)z.shape[1], p = ParameterDimensions;
        using var scope = NewDisposeScope();
        var zn = Normalised(z.detach());
        var keep = ones(p, float64, z.device);
        foreach (var param in ViewAndLightDirection) keep[DimensionOf(param)] = 0;
        var parameters = zn.narrow(1, 0, p) * keep;
        var noise = zn.narrow(1, p, d - p);
        var scale = ((d - parameters.square().sum(1, keepdim: true)).clamp_min(0) / noise.square().sum(1, keepdim: true).add(1e-12)).sqrt();
        return cat([parameters, noise * scale], 1).to(z.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>ẑ = z·√D/‖z‖ in float64, as the mapping network's PixelNorm sees z.</summary>
    static Tensor Normalised(Tensor z)
    {
        var zn = z.to(float64);
        return zn * Math.Sqrt(z.shape[1]) / zn.square().sum(1, keepdim: true).add(1e-8).sqrt();
    }

    /// <summary>The world's render of map(z) at <paramref name="size"/>, with all of its ground truth.</summary>
    public static FaceBatch Truth(Tensor z, int size)
    {
        var draws = Draws(z);
        try { return FaceWorld.Render(draws, size); }
        finally { foreach (var d in draws) d.Dispose(); }
    }

    /// <summary>The (D − 52) x 1536 latent-to-noise matrix, entries N(0, 1/(D − 52)).</summary>
    static Tensor NoiseMatrix(int k) => NoiseMatrices.GetOrAdd(k, n =>
    {
        int cells = FaceSampler.NoiseChannels * FaceSampler.NoiseGrid * FaceSampler.NoiseGrid;
        var values = new float[n * cells];
        ulong state = NoiseSeed;
        double scale = 1 / Math.Sqrt(n);
        for (int i = 0; i < values.Length; i += 2)
        {
            // Box-Muller on two SplitMix64 uniforms in (0, 1].
            double u1 = (SplitMix(ref state) >> 11) * (1.0 / (1UL << 53)) + 1.0 / (1UL << 54);
            double u2 = (SplitMix(ref state) >> 11) * (1.0 / (1UL << 53));
            double r = Math.Sqrt(-2 * Math.Log(u1)) * scale;
            values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length) values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return tensor(values, [n, cells]).DetachFromDisposeScope();
    });

    static ulong SplitMix(ref ulong state)
    {
        ulong z = unchecked(state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
