using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// The controls of one rendered face: <see cref="Face"/> picks the latent (identity, shape, albedo), the view is
/// pitch and yaw in degrees (roll 0), and the whole raw light (ambient, diffuse, direction) is that predicted for face
/// <see cref="LightFace"/>. Face indices address one seeded latent stream.
/// </summary>
public sealed record FaceControls(int Face, double PitchDegrees, double YawDegrees, int LightFace);

/// <summary>A generator whose factors can be set separately (the lifted generator's view and light, its latent).</summary>
public interface IControllableGenerator
{
    /// <summary>Images of the given settings, B × 3 × S × S in [-1, 1].</summary>
    Tensor Render(IReadOnlyList<FaceControls> controls);

    /// <summary>Reference images for the normaliser (the data the generator imitates): images [start, start + n) of a fixed stream.</summary>
    Tensor Reference(int start, int n);
}

/// <summary>
/// A generator that knows some of its factors exactly (e.g. the view its renderer applied, or the world parameters of a
/// world-fit teacher's latent): where it gives a factor, the protocol uses the exact value instead of re-estimating it
/// from the image (DiscoFaceGAN had only an estimator; the procedural world gives the truth).
/// </summary>
public interface IExactFactors
{
    /// <summary>Exact values (B × D_j) of <paramref name="factor"/> for these controls, or null where unknown.</summary>
    Tensor? Exact(string factor, IReadOnlyList<FaceControls> controls);

    /// <summary>Exact values (n × D_j) of <paramref name="factor"/> for reference images [start, start + n), or null where unknown.</summary>
    Tensor? ExactReference(string factor, int start, int n);
}

/// <summary>Re-estimates factors from images (the role of Deng et al.'s reconstruction network in DiscoFaceGAN).</summary>
public interface IFactorEstimator
{
    /// <summary>Names of the measured factors; each must be a control of <see cref="DisentanglementProtocol"/>.</summary>
    IReadOnlyList<string> Factors { get; }

    /// <summary>Per factor, its value for each image: B × D_j.</summary>
    Tensor[] Measure(Tensor images);
}

/// <summary>
/// The samples of one varied factor: <see cref="Count"/> = groups × per-group settings in group order (a group's
/// samples are consecutive), rendered on demand in batches.
/// </summary>
public interface IFactorGroups
{
    /// <summary>Number of samples (groups × per group).</summary>
    int Count { get; }

    /// <summary>Images of samples [start, start + n), B × 3 × S × S in [-1, 1].</summary>
    Tensor Images(int start, int n);

    /// <summary>Exact values (n × D_j) of <paramref name="factor"/> for samples [start, start + n), or null where unknown.</summary>
    Tensor? Exact(string factor, int start, int n);
}

/// <summary>
/// Where the disentanglement protocol's images come from: which factors can be varied, groups that vary one factor
/// while the others stay fixed, and reference images (the normaliser; FFHQ's role in DiscoFaceGAN). A lift's view,
/// light and latent (<see cref="ViewLightGroups"/>) and a control generator's code factors
/// (<c>ControlCodeGroups</c>, in the control folder) are two such sources; the score's arithmetic is shared.
/// </summary>
public interface IFactorSource
{
    /// <summary>The factors this source can vary (the estimator's factors must be among them).</summary>
    IReadOnlyList<string> Controls { get; }

    /// <summary>
    /// <paramref name="groups"/> groups of <paramref name="perGroup"/> samples that differ only in <paramref name="varied"/>;
    /// every random choice comes from <paramref name="random"/> (one stream for the whole measurement, so the result
    /// depends only on the seed and the order of the calls).
    /// </summary>
    IFactorGroups Groups(string varied, int groups, int perGroup, Random random);

    /// <summary>Reference images [start, start + n) of a fixed stream (requested in order).</summary>
    Tensor Reference(int start, int n);

    /// <summary>Exact values (n × D_j) of <paramref name="factor"/> for the reference images last drawn, or null where unknown.</summary>
    Tensor? ExactReference(string factor, int start, int n);
}

/// <summary>Settings of <see cref="DisentanglementProtocol.Measure(IFactorSource, IFactorEstimator, DisentanglementOptions, Action{string})"/> (defaults: the papers' 1,000 groups of 10).</summary>
public sealed record DisentanglementOptions
{
    public int Groups { get; init; } = 1000;
    public int PerGroup { get; init; } = 10;
    public int ReferenceCount { get; init; } = 1000;
    public long Seed { get; init; } = 1;
    /// <summary>Controls are drawn as in training's perturbation: yaw uniform in ± this (degrees).</summary>
    public double MaxYaw { get; init; } = 45;
    /// <summary>Pitch uniform in ± this (degrees).</summary>
    public double MaxPitch { get; init; } = 15;
    public int Batch { get; init; } = 10;
    public DisentanglementDefinition Definition { get; init; } = DisentanglementDefinition.DiscoFaceGan;
    /// <summary>Resolution floor ε of the normalised spreads (<see cref="DisentanglementScore.DefaultFloor"/>; 0: the papers' formula).</summary>
    public double Floor { get; init; } = DisentanglementScore.DefaultFloor;
    /// <summary>Use the exact values of the factors an <see cref="IExactFactors"/> generator knows, for both the groups and the reference.</summary>
    public bool UseExact { get; init; } = true;
}

/// <summary>
/// The sampling of DiscoFaceGAN §4.3 for the controls a lifted generator has: for each factor i of
/// {yaw, pitch, light, identity}, each group draws the other factors once (a new face, yaw and pitch uniform in the
/// perturbation ranges, the light of another new face) and <see cref="DisentanglementOptions.PerGroup"/> values of
/// factor i (new yaws, pitches, light faces or faces). Face indices run on across groups and factors.
/// </summary>
public sealed class ViewLightGroups(IControllableGenerator generator, DisentanglementOptions o) : IFactorSource
{
    int nextFace;

    public IReadOnlyList<string> Controls => DisentanglementProtocol.Controls;

    public IFactorGroups Groups(string varied, int groups, int perGroup, Random random)
    {
        double Uniform(double range) => (random.NextDouble() * 2 - 1) * range;
        var settings = new List<FaceControls>();
        for (int g = 0; g < groups; g++)
        {
            var basis = new FaceControls(nextFace++, Uniform(o.MaxPitch), Uniform(o.MaxYaw), nextFace++);
            for (int k = 0; k < perGroup; k++)
                settings.Add(varied switch
                {
                    "yaw" => basis with { YawDegrees = Uniform(o.MaxYaw) },
                    "pitch" => basis with { PitchDegrees = Uniform(o.MaxPitch) },
                    "light" => basis with { LightFace = nextFace++ },
                    _ => basis with { Face = nextFace++ },
                });
        }
        return new Settings(generator, settings);
    }

    public Tensor Reference(int start, int n) => generator.Reference(start, n);

    public Tensor? ExactReference(string factor, int start, int n) => (generator as IExactFactors)?.ExactReference(factor, start, n);

    sealed class Settings(IControllableGenerator generator, List<FaceControls> settings) : IFactorGroups
    {
        public int Count => settings.Count;
        public Tensor Images(int start, int n) => generator.Render(settings.GetRange(start, n));
        public Tensor? Exact(string factor, int start, int n) => (generator as IExactFactors)?.Exact(factor, settings.GetRange(start, n));
    }
}

/// <summary>
/// The disentanglement protocol (DiscoFaceGAN §4.3): for each factor the estimator measures, the source's
/// <see cref="DisentanglementOptions.Groups"/> groups of <see cref="DisentanglementOptions.PerGroup"/> samples that vary
/// only that factor; all images are re-measured with the estimator (or given exactly where the source knows a factor
/// and <see cref="DisentanglementOptions.UseExact"/>); the normaliser comes from the source's reference images.
/// </summary>
public static class DisentanglementProtocol
{
    /// <summary>The controls of a lift (<see cref="ViewLightGroups"/>).</summary>
    public static readonly IReadOnlyList<string> Controls = new[] { "yaw", "pitch", "light", "identity" };

    /// <summary>DS of a lift's controls: <see cref="ViewLightGroups"/> over <paramref name="generator"/>.</summary>
    public static DisentanglementResult Measure(IControllableGenerator generator, IFactorEstimator estimator, DisentanglementOptions o, Action<string>? progress = null) =>
        Measure(new ViewLightGroups(generator, o), estimator, o, progress);

    public static DisentanglementResult Measure(IFactorSource source, IFactorEstimator estimator, DisentanglementOptions o, Action<string>? progress = null)
    {
        if (o.Groups < 1) throw new EvaluationException("groups", $"{o.Groups}: need at least 1 group");
        if (o.PerGroup < 2) throw new EvaluationException("per-group", $"{o.PerGroup}: need at least 2 samples per group (a spread)");
        if (o.ReferenceCount < 2) throw new EvaluationException("reference", $"{o.ReferenceCount}: need at least 2 reference images");
        if (o.Batch < 1) throw new EvaluationException("batch", $"{o.Batch}: must be at least 1");
        var factors = estimator.Factors;
        foreach (var f in factors)
            if (!source.Controls.Contains(f)) throw new EvaluationException("factor", $"{f}: not a control (expected one of {string.Join(", ", source.Controls)})");

        var exactUsed = new HashSet<string>();
        var random = new Random(unchecked((int)o.Seed));
        var measured = new List<IReadOnlyList<Tensor>>();
        foreach (var varied in factors)
        {
            var groups = source.Groups(varied, o.Groups, o.PerGroup, random);
            if (groups.Count != o.Groups * o.PerGroup)
                throw new EvaluationException("groups", $"varying {varied}: the source gave {groups.Count} samples for {o.Groups} × {o.PerGroup}");
            var values = MeasureAll(estimator, groups.Count, o.Batch, groups.Images, o.UseExact ? groups.Exact : null, exactUsed, check: false);
            measured.Add(values.Select(v =>
            {
                var grouped = v.view(o.Groups, o.PerGroup, -1);
                v.Dispose();
                return grouped;
            }).ToList());
            progress?.Invoke($"varied {varied}: {groups.Count} images");
        }
        var reference = MeasureAll(estimator, o.ReferenceCount, o.Batch, source.Reference,
            o.UseExact ? source.ExactReference : null, exactUsed, check: true);
        progress?.Invoke($"reference: {o.ReferenceCount} images");
        var exact = factors.Where(exactUsed.Contains).ToList();
        try { return DisentanglementScore.Compute(factors, measured, reference, o.Definition, o.Floor, exact); }
        finally
        {
            foreach (var t in measured.SelectMany(m => m).Concat(reference)) t.Dispose();
        }
    }

    /// <summary>
    /// Every factor of <paramref name="count"/> images, in batches; a factor <paramref name="exact"/> knows replaces the
    /// estimate. Factors given exactly are added to <paramref name="exactSeen"/>; with <paramref name="check"/> they must
    /// instead be exactly those already in it (the groups and the reference must measure each factor the same way).
    /// </summary>
    static Tensor[] MeasureAll(IFactorEstimator estimator, int count, int batch, Func<int, int, Tensor> images,
        Func<string, int, int, Tensor?>? exact, HashSet<string> exactSeen, bool check)
    {
        var parts = new List<Tensor[]>();
        for (int start = 0; start < count; start += batch)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int n = Math.Min(batch, count - start);
            var values = estimator.Measure(images(start, n));
            for (int j = 0; j < values.Length; j++)
            {
                var name = estimator.Factors[j];
                var truth = exact?.Invoke(name, start, n);
                if (check && (truth is not null) != exactSeen.Contains(name))
                    throw new EvaluationException("exact factors", $"{name} is exact for {(truth is null ? "the groups but not the reference" : "the reference but not the groups")}: both must be measured the same way");
                if (truth is null) continue;
                if (!check) exactSeen.Add(name);
                if (truth.shape[0] != n) throw new EvaluationException("exact factors", $"{name}: {truth.shape[0]} exact values for {n} images");
                values[j] = truth;
            }
            parts.Add(values.Select(v => v.to(ScalarType.Float64).cpu().MoveToOuterDisposeScope()).ToArray());
        }
        var all = Enumerable.Range(0, parts[0].Length).Select(j => cat(parts.Select(p => p[j]).ToArray(), 0)).ToArray();
        foreach (var t in parts.SelectMany(p => p)) t.Dispose();
        return all;
    }
}
