using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// The groups of DiscoFaceGAN's Table 1 over a control code (<see cref="IFactorSource"/>): to vary factor i
/// (identity, expression, light or pose), each group draws one code from the prior and its samples redraw only factor
/// i's code dimensions (<see cref="ControlCode.Dimensions"/>), the other factors and the free noise fixed. Images come
/// from a function of the codes: a trained control generator (<see cref="ForGenerator"/>), the
/// face world itself (<see cref="ForWorld"/>, the ceiling) or a source that ignores the code (<see cref="IgnoringCode"/>,
/// the floor). Reference images (the normaliser, FFHQ's role) are always the world's renders of a second stream of prior
/// codes (seed + 1), the data every control generator imitates; nothing is given exactly, every factor is re-estimated
/// from the images.
/// </summary>
public sealed class ControlCodeGroups : IFactorSource
{
    readonly Func<Tensor, Tensor> images;
    readonly int noiseDims;
    readonly int size;
    readonly long seed;
    int referenceDrawn;

    /// <summary>Groups over codes with <paramref name="noiseDims"/> free dimensions; <paramref name="images"/> maps codes (B × D) to images (B × 3 × S × S, S = <paramref name="size"/>).</summary>
    public ControlCodeGroups(Func<Tensor, Tensor> images, int noiseDims, int size, long seed)
    {
        if (noiseDims < 0) throw new ControlException("noise", $"{noiseDims}: must be ≥ 0");
        this.images = images;
        this.noiseDims = noiseDims;
        this.size = size;
        this.seed = seed;
    }

    /// <summary>The factors varied, as the estimator names them (DiscoFaceGAN Table 1: α, β, γ, θ).</summary>
    public static readonly IReadOnlyDictionary<string, ControlFactor> Factors = new Dictionary<string, ControlFactor>
    {
        ["identity"] = ControlFactor.Identity, ["expression"] = ControlFactor.Expression, ["light"] = ControlFactor.Light, ["pose"] = ControlFactor.Pose,
    };

    public IReadOnlyList<string> Controls => Factors.Keys.ToList();

    /// <summary>Codes of the last <see cref="Groups"/> call (groups × per group rows), for inspection.</summary>
    public Tensor? LastCodes { get; private set; }

    /// <summary>A trained control generator's images of the codes.</summary>
    public static ControlCodeGroups ForGenerator(ControlGenerator generator, long seed) =>
        new(codes => ControlEdits.Images(generator, codes).Generated, generator.Config.NoiseDims, generator.Config.Size, seed);

    /// <summary>The face world's renders of the codes' parameters (zero texture noise): a generator that obeys its code exactly (the ceiling).</summary>
    public static ControlCodeGroups ForWorld(int noiseDims, int size, long seed) => new(codes => WorldImages(codes, size), noiseDims, size, seed);

    /// <summary>
    /// A generator that ignores its code (the floor): every image is the world's render of a fresh prior code of its
    /// own stream, so no image depends on the code asked for and every factor varies alike in every group (DS ≈ 1).
    /// </summary>
    public static ControlCodeGroups IgnoringCode(int noiseDims, int size, long seed)
    {
        // The generator lives as long as the source (a few hundred bytes; sources are per measurement).
        var own = new Generator(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 77));
        return new(codes => WorldImages(ControlCode.Sample((int)codes.shape[0], noiseDims, own), size), noiseDims, size, seed);
    }

    static Tensor WorldImages(Tensor codes, int size)
    {
        using var render = ControlCode.Render(codes, size);
        return render.Images.clone();
    }

    public IFactorGroups Groups(string varied, int groups, int perGroup, Random random)
    {
        if (!Factors.TryGetValue(varied, out var factor)) throw new EvaluationException("factor", $"{varied}: not a code factor ({string.Join(", ", Factors.Keys)})");
        using var rng = new Generator(unchecked((ulong)random.NextInt64()));
        using var scope = NewDisposeScope();
        var basis = ControlCode.Sample(groups, noiseDims, rng).repeat_interleave(perGroup, 0);
        var codes = ControlCode.Resample(basis, factor, rng);
        LastCodes?.Dispose();
        LastCodes = codes.DetachFromDisposeScope();
        return new Codes(this, codes.clone().DetachFromDisposeScope());
    }

    public Tensor Reference(int start, int n)
    {
        if (start != referenceDrawn) throw new EvaluationException("reference", $"images must be requested in order (expected {referenceDrawn}, got {start})");
        referenceDrawn += n;
        using var scope = NewDisposeScope();
        var codes = cat(Enumerable.Range(start, n).Select(ReferenceCode).ToArray(), 0);
        return WorldImages(codes, size).MoveToOuterDisposeScope();
    }

    Tensor ReferenceCode(int index)
    {
        using var rng = new Generator(unchecked((ulong)((seed + 1) * 1_000_003 + index + 1)));
        return ControlCode.Sample(1, noiseDims, rng);
    }

    public Tensor? ExactReference(string factor, int start, int n) => null;

    sealed class Codes(ControlCodeGroups owner, Tensor codes) : IFactorGroups
    {
        public int Count => (int)codes.shape[0];

        public Tensor Images(int start, int n)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return owner.images(codes.narrow(0, start, n)).MoveToOuterDisposeScope();
        }

        public Tensor? Exact(string factor, int start, int n) => null;
    }

    /// <summary>
    /// DS in DiscoFaceGAN's Table 1 sense of codes mapped to images by <paramref name="source"/>: the factors the
    /// <see cref="CodeFactorEstimator"/> measures (identity with an embedding, expression with an expression estimator,
    /// light, pose), each varied through its code dimensions and re-estimated from the images.
    /// </summary>
    public static DisentanglementResult Measure(ControlCodeGroups source, PoseDepthEstimator estimator, IFaceEmbedding? embedding,
        ExpressionEstimator? expression, DisentanglementOptions o, Action<string>? progress = null) =>
        DisentanglementProtocol.Measure(source, new CodeFactorEstimator(estimator, embedding, expression), o, progress);
}
