using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The parametric face model: turns a parameter matrix (B x <see cref="FaceParameters.Count"/>, one row per image) and
/// per-image noise into canonical depth, albedo, foreground and transformation map on the renderer's S x S grid, with
/// vectorised torch ops. A row with zero asymmetry gives an exactly mirror-symmetric face (depth, albedo, masks).
/// </summary>
public static class FaceModel
{
    /// <summary>The renderer's depth range (LiftedGAN min_depth / max_depth).</summary>
    public const double MinDepth = 0.9, MaxDepth = 1.1;

    /// <summary>Depth of the head's rim (the head front lies about 0.06–0.08 nearer).</summary>
    public const double RimDepth = 1.02;

    /// <summary>Depth of the flat background plane (LiftedGAN's border_depth).</summary>
    public const double BackgroundDepth = 1.05;

    /// <summary>Image sizes the world is made for.</summary>
    public static readonly IReadOnlyList<int> Sizes = new[] { 32, 64, 128, 256 };

    /// <summary>Builds canonical faces from <paramref name="parameters"/> (B x P, float32) and <paramref name="noise"/> (B x 6 x 16 x 16).</summary>
    public static CanonicalFace Build(Tensor parameters, Tensor noise, int size)
    {
        CheckSize(size);
        if (parameters.dim() != 2 || parameters.shape[1] != FaceParameters.Count)
            throw new SyntheticWorldException("parameters", $"shape [{string.Join(", ", parameters.shape)}], expected [B, {FaceParameters.Count}]");
        long b = parameters.shape[0];
        if (!noise.shape.SequenceEqual(new long[] { b, FaceSampler.NoiseChannels, FaceSampler.NoiseGrid, FaceSampler.NoiseGrid }))
            throw new SyntheticWorldException("noise", $"shape [{string.Join(", ", noise.shape)}], expected [{b}, {FaceSampler.NoiseChannels}, {FaceSampler.NoiseGrid}, {FaceSampler.NoiseGrid}]");
        using var scope = NewDisposeScope();
        var frame = new FaceFrame(parameters.to(float32), noise.to(float32), size);
        var regions = new FaceRegions(frame);
        var depth = FaceShape.Depth(frame, regions);
        var albedo = FaceAlbedo.Albedo(frame, regions) * 2 - 1;
        var foreground = 1 - (1 - regions.Head) * (1 - regions.Neck) * (1 - regions.Hair);
        var follow = 1 - (1 - regions.Head) * (1 - regions.Neck * regions.NeckFollow) * (1 - regions.Hair);
        var transform = (follow * InteriorMask(size)).unsqueeze(1);
        return new CanonicalFace(depth.MoveToOuterDisposeScope(), albedo.MoveToOuterDisposeScope(),
            foreground.MoveToOuterDisposeScope(), transform.MoveToOuterDisposeScope());
    }

    /// <summary>Throws unless <paramref name="size"/> is one of <see cref="Sizes"/>.</summary>
    public static void CheckSize(int size)
    {
        if (!Sizes.Contains(size))
            throw new SyntheticWorldException("size", $"{size} is not supported; use one of {string.Join(", ", Sizes)}");
    }

    /// <summary>1 inside, 0 on the outermost row at top and bottom and the two outermost columns (LiftedGAN pins them).</summary>
    static Tensor InteriorMask(int size)
    {
        var m = ones(1, size, size);
        m[.., 0, ..] = 0;
        m[.., size - 1, ..] = 0;
        m[.., .., ..2] = 0;
        m[.., .., (size - 2)..] = 0;
        return m;
    }
}
