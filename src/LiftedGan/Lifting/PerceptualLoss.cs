using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>Distance used per feature location by <see cref="PerceptualLoss"/>.</summary>
public enum PerceptualDistance { Cosine, L1, L2 }

/// <summary>
/// LiftedGAN's multi-scale VGG16 perceptual loss (official PerceptualLoss): images in [−1, 1] are mapped to [0, 1] and
/// ImageNet-normalised, avg-pooled 2×2 for each further scale; at every scale the chosen slices (default relu2_2,
/// relu3_3, relu4_3) are compared — cosine: squared difference of channel-normalised features summed over channels;
/// l1/l2: elementwise — optionally under a mask avg-pooled to each feature size (Σ d·m / Σ m). The result is the
/// plain mean over (scale, slice) terms.
/// </summary>
public sealed class PerceptualLoss : IDisposable
{
    static readonly float[] Mean = { 0.485f, 0.456f, 0.406f };
    static readonly float[] Std = { 0.229f, 0.224f, 0.225f };
    readonly Vgg16Features _vgg;
    readonly int[] _slices;

    public PerceptualLoss(Vgg16Features vgg, PerceptualDistance distance = PerceptualDistance.Cosine, int scales = 3, int[]? slices = null)
    {
        _vgg = vgg;
        Distance = distance;
        Scales = scales >= 1 ? scales : throw new ArgumentException($"perceptual loss: scales {scales} < 1");
        _slices = slices ?? new[] { 1, 2, 3 };
        if (_slices.Length == 0 || _slices.Any(i => i < 0 || i > 3)) throw new ArgumentException("perceptual loss: slice indices must be in 0..3");
    }

    /// <summary>The cosine perceptual loss of a lifting config (<see cref="LiftingConfig.PerceptualScales"/>, <see cref="LiftingConfig.PerceptualDepth"/>).</summary>
    public static PerceptualLoss For(LiftingConfig config, Vgg16Features vgg) =>
        new(vgg, PerceptualDistance.Cosine, config.PerceptualScales, config.PerceptualSliceIndices());

    public PerceptualDistance Distance { get; }
    public int Scales { get; }

    /// <summary>Maps [−1, 1] images to ImageNet-normalised input.</summary>
    public static Tensor Normalize(Tensor x)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean, dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        var std = tensor(Std, dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        return ((x / 2 + 0.5 - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss between two (B, 3, H, W) batches; <paramref name="mask"/> is (B, 1, H, W) or null. The distance is
    /// symmetric, so a side that needs no gradient (a detached target) has its features computed once, without a graph
    /// (<see cref="Features"/>); only when both sides need gradients do they go through VGG16 together, as officially.
    /// </summary>
    public Tensor Compute(Tensor a, Tensor b, Tensor? mask = null)
    {
        if (!a.shape.SequenceEqual(b.shape)) throw new ArgumentException($"perceptual loss: shapes [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}] differ");
        if (!b.requires_grad) { using var fb = Features(b); return Compute(a, fb, mask); }
        if (!a.requires_grad) { using var fa = Features(a); return Compute(b, fa, mask); }
        using var scope = NewDisposeScope();
        long n = a.shape[0];
        var both = SliceFeatures(Normalize(cat(new[] { a, b }, 0)));
        var terms = new List<Tensor>();
        foreach (var f in both) terms.Add(Term(f[..(int)n], f[(int)n..], mask));
        return stack(terms).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The loss of <paramref name="a"/> against precomputed target features (e.g. one target shared by several terms).</summary>
    public Tensor Compute(Tensor a, PerceptualFeatures target, Tensor? mask = null)
    {
        if (!a.shape.SequenceEqual(target.ImageShape)) throw new ArgumentException($"perceptual loss: shapes [{string.Join(", ", a.shape)}] and [{string.Join(", ", target.ImageShape)}] differ");
        using var fa = TrackedFeatures(a);
        return Compute(fa, target, mask);
    }

    /// <summary>
    /// The loss between two feature sets of the same image shape (<see cref="Features"/>, <see cref="TrackedFeatures"/>);
    /// either may keep a graph.
    /// </summary>
    public Tensor Compute(PerceptualFeatures a, PerceptualFeatures b, Tensor? mask = null)
    {
        if (!a.ImageShape.SequenceEqual(b.ImageShape)) throw new ArgumentException($"perceptual loss: shapes [{string.Join(", ", a.ImageShape)}] and [{string.Join(", ", b.ImageShape)}] differ");
        using var scope = NewDisposeScope();
        var terms = new List<Tensor>();
        for (int i = 0; i < a.Maps.Count; i++) terms.Add(Term(a.Maps[i], b.Maps[i], mask, b.Normalized, a.Normalized));
        return stack(terms).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Features of <paramref name="images"/> that keep their graph (channel-normalised for the cosine distance): for an
    /// image that is the gradient side of one term and, <see cref="PerceptualFeatures.Detached"/>, the constant target
    /// of another, so VGG16 runs on it once.
    /// </summary>
    public PerceptualFeatures TrackedFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        var maps = SliceFeatures(Normalize(images));
        if (Distance == PerceptualDistance.Cosine) maps = maps.Select(f => nn.functional.normalize(f, 2.0, 1)).ToList();
        return new PerceptualFeatures(images.shape, maps.Select(f => f.MoveToOuterDisposeScope()).ToArray(), Distance == PerceptualDistance.Cosine);
    }

    /// <summary>Features of a target batch (no gradient), in the (scale, slice) order the loss uses.</summary>
    public PerceptualFeatures Features(Tensor target)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var maps = SliceFeatures(Normalize(target.detach()));
        if (Distance == PerceptualDistance.Cosine) maps = maps.Select(f => nn.functional.normalize(f, 2.0, 1)).ToList();
        return new PerceptualFeatures(target.shape, maps.Select(f => f.MoveToOuterDisposeScope()).ToArray(), Distance == PerceptualDistance.Cosine);
    }

    /// <summary>
    /// The raw feature maps of a [−1, 1] batch, with gradients, in the (scale, slice) order of <see cref="Features"/>:
    /// for a caller that weighs the differences itself (Unsup3d's confidence-weighted perceptual loss).
    /// </summary>
    public IReadOnlyList<Tensor> Maps(Tensor images) => SliceFeatures(Normalize(images));

    /// <summary>The chosen slices at every scale, (scale, slice) order.</summary>
    List<Tensor> SliceFeatures(Tensor x)
    {
        var result = new List<Tensor>();
        int last = _slices.Max();
        for (int s = 0; s < Scales; s++)
        {
            if (s > 0) x = nn.functional.avg_pool2d(x, 2, 2);
            var feats = _vgg.Slices(x, last);
            foreach (int i in _slices) result.Add(feats[i]);
        }
        return result;
    }

    /// <summary>One (scale, slice) term: the distance per location, averaged (under the mask, Σ d·m / Σ m).</summary>
    Tensor Term(Tensor fa, Tensor fb, Tensor? mask, bool bNormalized = false, bool aNormalized = false)
    {
        var d = Distance switch
        {
            PerceptualDistance.Cosine => ((aNormalized ? fa : nn.functional.normalize(fa, 2.0, 1)) - (bNormalized ? fb : nn.functional.normalize(fb, 2.0, 1))).pow(2).sum(1, keepdim: true),
            PerceptualDistance.L1 => (fa - fb).abs(),
            _ => (fa - fb).pow(2),
        };
        if (mask is null) return d.mean();
        long kh = mask.shape[2] / d.shape[2], kw = mask.shape[3] / d.shape[3];
        var m = nn.functional.avg_pool2d(mask, new long[] { kh, kw }, new long[] { kh, kw }).expand_as(d);
        return (d * m).sum() / m.sum();
    }

    public void Dispose() => _vgg.Dispose();
}

/// <summary>
/// Target features of <see cref="PerceptualLoss"/> computed once without gradient (channel-normalised for the cosine
/// distance), for a target shared by several loss terms. Owns its tensors.
/// </summary>
public sealed class PerceptualFeatures(long[] imageShape, Tensor[] maps, bool normalized) : IDisposable
{
    /// <summary>Shape of the image batch the features are of.</summary>
    public long[] ImageShape { get; } = imageShape;
    /// <summary>One map per (scale, slice) term.</summary>
    public IReadOnlyList<Tensor> Maps { get; } = maps;
    /// <summary>True when the maps are already channel-normalised (cosine distance).</summary>
    public bool Normalized { get; } = normalized;

    /// <summary>The same maps without their graph (new handles; the caller disposes them): a constant target.</summary>
    public PerceptualFeatures Detached() => new(ImageShape, Maps.Select(m => m.detach()).ToArray(), Normalized);

    public void Dispose()
    {
        foreach (var m in Maps) m.Dispose();
    }
}
