using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>The factors a control code is split into (DiscoFaceGAN §4.1: identity, expression, illumination, pose, noise).</summary>
public enum ControlFactor
{
    /// <summary>Shape, albedo, hair, facial hair and glasses (the 3DMM's α).</summary>
    Identity,
    /// <summary>Smile, mouth opening, brow raise (β).</summary>
    Expression,
    /// <summary>Ambient, diffuse and the light direction (γ).</summary>
    Light,
    /// <summary>Pitch, yaw, roll and the small translations (θ; DiscoFaceGAN removes translation by alignment, the world keeps it).</summary>
    Pose,
    /// <summary>Everything the face model's render does not control: the background and the free noise dimensions (DiscoFaceGAN's z₅).</summary>
    Other,
}

/// <summary>
/// The control code of 3DMM-controlled generation and its prior. A code is a row of N(0, I): dimensions 0–30 identity
/// (the world's identity parameters and its two on/off draws, in <see cref="LatentFaces"/>' order), 31–33 expression,
/// 34–41 background, 42–47 pose, 48–51 light, then <c>noise</c> free dimensions. The prior maps every parameter
/// dimension through Φ (the normal CDF) into the uniform that <see cref="FaceSampler"/> draws, so a code's parameters
/// have exactly the face world's own distribution. This replaces DiscoFaceGAN's four VAEs (trained on Deep3DRecon
/// coefficients of FFHQ): our face model's parameter distribution is known in closed form, so the "decoder" is exact.
/// Unlike <see cref="LatentFaces"/> the code is not normalised by its length, so each factor's dimensions alone decide
/// its parameters (editing one factor cannot move another). The render of a code uses zero texture noise.
/// </summary>
public static class ControlCode
{
    /// <summary>Dimensions that carry face-model parameters (the rest are free noise).</summary>
    public const int ParameterDimensions = 52;

    /// <summary>The code dimensions [start, start + length) of <paramref name="factor"/> for <paramref name="noise"/> free dimensions.</summary>
    public static IReadOnlyList<(int Start, int Length)> Dimensions(ControlFactor factor, int noise) => factor switch
    {
        ControlFactor.Identity => [(0, 31)],
        ControlFactor.Expression => [(31, 3)],
        ControlFactor.Pose => [(42, 6)],
        ControlFactor.Light => [(48, 4)],
        _ => noise > 0 ? [(34, 8), (ParameterDimensions, noise)] : [(34, 8)],
    };

    /// <summary>The factors DiscoFaceGAN controls and scores (identity, expression, light, pose).</summary>
    public static readonly IReadOnlyList<ControlFactor> Controlled = [ControlFactor.Identity, ControlFactor.Expression, ControlFactor.Light, ControlFactor.Pose];

    /// <summary>The code dimension that sets parameter <paramref name="p"/>.</summary>
    public static int DimensionOf(FaceParam p) => LatentFaces.DimensionOf(p);

    /// <summary>The factor parameter <paramref name="p"/> belongs to.</summary>
    public static ControlFactor FactorOf(FaceParam p) => FaceParameters.All[(int)p].Group switch
    {
        FaceParamGroup.Shape or FaceParamGroup.Albedo => ControlFactor.Identity,
        FaceParamGroup.Expression => ControlFactor.Expression,
        FaceParamGroup.Pose => ControlFactor.Pose,
        FaceParamGroup.Light => ControlFactor.Light,
        _ => ControlFactor.Other,
    };

    /// <summary><paramref name="n"/> codes (n × (52 + noise)) from the prior N(0, I).</summary>
    public static Tensor Sample(int n, int noise, Generator rng)
    {
        if (n < 1 || noise < 0) throw new ControlException("code", $"{n} codes with {noise} noise dimensions: need n ≥ 1 and noise ≥ 0");
        return randn(new long[] { n, ParameterDimensions + noise }, generator: rng);
    }

    /// <summary>A copy of <paramref name="code"/> with <paramref name="factor"/>'s dimensions drawn anew from the prior (the pairs of §4.3).</summary>
    public static Tensor Resample(Tensor code, ControlFactor factor, Generator rng)
    {
        int noise = NoiseDimensions(code);
        var result = code.clone();
        foreach (var (start, length) in Dimensions(factor, noise))
            result[.., start..(start + length)] = randn(new long[] { code.shape[0], length }, generator: rng);
        return result;
    }

    /// <summary>A copy of <paramref name="code"/> whose sample i has expression dimension i mod 3 redrawn (one parameter per sample, in turn).</summary>
    public static Tensor ResampleExpressionInTurn(Tensor code, Generator rng)
    {
        NoiseDimensions(code);
        var (start, length) = Dimensions(ControlFactor.Expression, 0)[0];
        long b = code.shape[0];
        var result = code.clone();
        using var fresh = randn(new long[] { b, length }, generator: rng);
        for (long i = 0; i < b; i++)
            result[i, start + (int)(i % length)] = fresh[i, i % length];
        return result;
    }

    /// <summary>A copy of <paramref name="code"/> whose <paramref name="factor"/> dimensions are those of <paramref name="source"/>.</summary>
    public static Tensor Swap(Tensor code, Tensor source, ControlFactor factor)
    {
        int noise = NoiseDimensions(code);
        if (!source.shape.SequenceEqual(code.shape)) throw new ControlException("code", $"shapes [{string.Join(", ", code.shape)}] and [{string.Join(", ", source.shape)}] differ");
        var result = code.clone();
        foreach (var (start, length) in Dimensions(factor, noise))
            result[.., start..(start + length)] = source[.., start..(start + length)];
        return result;
    }

    /// <summary>Free noise dimensions of a code (throws unless it is B × (52 + k)).</summary>
    public static int NoiseDimensions(Tensor code)
    {
        if (code.dim() != 2 || code.shape[1] < ParameterDimensions)
            throw new ControlException("code", $"shape [{string.Join(", ", code.shape)}], expected [B, {ParameterDimensions} + noise]");
        return (int)code.shape[1] - ParameterDimensions;
    }

    /// <summary>The face-model parameter rows (B × P) of codes: the exact prior decoder λ = F⁻¹(Φ(z)).</summary>
    public static float[][] Parameters(Tensor code)
    {
        NoiseDimensions(code);
        using var scope = NewDisposeScope();
        var u = special.ndtr(code.detach().cpu().to(float64).narrow(1, 0, ParameterDimensions)).clamp(0, 1 - 1e-12).data<double>().ToArray();
        var rows = new float[code.shape[0]][];
        for (int row = 0; row < rows.Length; row++) rows[row] = LatentFaces.ParametersFromUniforms(u, row * ParameterDimensions);
        return rows;
    }

    /// <summary>The face model's render x̂ of codes at <paramref name="size"/> (zero texture noise), with all its exact truth.</summary>
    public static FaceBatch Render(Tensor code, int size)
    {
        var rows = Parameters(code);
        var draws = rows.Select((r, i) => new FaceDraw(i, i, r, zeros(FaceSampler.NoiseChannels, FaceSampler.NoiseGrid, FaceSampler.NoiseGrid))).ToList();
        try { return FaceWorld.Render(draws, size); }
        finally { foreach (var d in draws) d.Dispose(); }
    }

    /// <summary>
    /// Sets parameter <paramref name="name"/> (snake_case, <see cref="FaceParameters"/>) of every row of
    /// <paramref name="code"/> to <paramref name="value"/> by writing the code dimension the prior maps to it. Parameters
    /// drawn as a plain range (shape, albedo, smile, pose, light) and mouth_open, brow_raise can be set; the background
    /// tints and the on/off draws cannot (they mix several dimensions).
    /// </summary>
    public static void Set(Tensor code, string name, double value)
    {
        NoiseDimensions(code);
        var parameter = FaceParameters.Find(name) ?? throw new ControlException(name, $"not a face-model parameter (known: {string.Join(", ", FaceParameters.All.Select(p => p.Name))})");
        if (parameter.Group == FaceParamGroup.Background || parameter.Id is FaceParam.FacialHair or FaceParam.Glasses)
            throw new ControlException(name, "is set by several code dimensions together and cannot be given a value");
        if (!(value >= parameter.Min && value <= parameter.Max))
            throw new ControlException(name, $"{value}: outside the face model's range [{parameter.Min}, {parameter.Max}]");
        double u = parameter.Id switch
        {
            FaceParam.MouthOpen => (value + 1) / 2,      // v = max(0, 2u − 1)
            FaceParam.BrowRaise => (value + 0.5) / 1.5,  // v = max(0, 1.5u − 0.5)
            _ => (value - parameter.Min) / (parameter.Max - parameter.Min),
        };
        u = Math.Clamp(u, 1e-6, 1 - 1e-6);
        using var scope = NewDisposeScope();
        double z = special.ndtri(tensor(u, float64)).item<double>();
        code[.., DimensionOf(parameter.Id)] = z;
    }
}
