using LiftedGan.Data;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// FID and KID between two sources, each given as a spec — a folder path, <c>stylegan:CKPT</c>, <c>synth:SIZE</c>
/// or <c>stats:FILE</c> (our statistics file or the official <c>.pkl</c>) — or as an <see cref="IImageSource"/>.
/// Image sources go through the feature network (loaded lazily, only when a side needs it) and their statistics
/// are cached by (source, seed, network, count).
/// </summary>
public sealed class FidEvaluation : IDisposable
{
    readonly Func<InceptionNetwork> createNetwork;
    readonly Action<string> log;
    InceptionNetwork? network;

    /// <param name="inceptionPath">Inception weights (either layout); null uses the labelled hashed substitute.</param>
    /// <param name="options">Counts, batch, seed, cache folder and KID settings.</param>
    /// <param name="log">Progress and information lines.</param>
    public FidEvaluation(string? inceptionPath, EvalOptions options, Action<string>? log = null)
    {
        if (inceptionPath != null && !File.Exists(inceptionPath))
            throw new EvaluationException(inceptionPath, "Inception weights file does not exist");
        createNetwork = inceptionPath != null ? () => InceptionNetwork.Load(inceptionPath) : InceptionNetwork.Hashed;
        Options = options;
        this.log = log ?? (_ => { });
    }

    public EvalOptions Options { get; }

    /// <summary>The feature network (created on first use).</summary>
    public InceptionNetwork Network => network ??= CreateNetwork();

    InceptionNetwork CreateNetwork()
    {
        var net = createNetwork();
        log($"feature network: {net.Description}");
        return net;
    }

    /// <summary>Compares two specs.</summary>
    public FidResult Compare(string specA, string specB)
    {
        using var a = Resolve(specA, Options.Seed, "a");
        using var b = Resolve(specB, Options.Seed + 1, "b");
        return Compare(a, b);
    }

    /// <summary>Compares two prepared sets (checks that their feature networks agree).</summary>
    public FidResult Compare(EvalSet a, EvalSet b)
    {
        if (!InceptionNetwork.Comparable(a.Network, b.Network))
            throw new EvaluationException("a/b", $"the two sides use different feature networks ({a.Network} vs {b.Network}); " +
                (a.Network == StatisticsCache.OfficialNetwork || b.Network == StatisticsCache.OfficialNetwork
                    ? "official statistics need the FID Inception weights (pt_inception-2015-12-05-6726825d.pth)"
                    : "recompute both with the same Inception weights"));
        var warnings = new List<string>();
        foreach (var (name, set) in new[] { ("a", a), ("b", b) })
            if (set.Count < EvalOptions.StableCount)
                warnings.Add($"{name} has {set.Count} samples, fewer than {EvalOptions.StableCount} (the feature dimension): " +
                    "the covariance is rank-deficient, so FID is biased upwards and unstable; the protocol uses 50000");
        if (a.Resolution is { } ra && b.Resolution is { } rb && ra != rb)
            warnings.Add($"image sizes differ: a ({a.Description}) is {ra} px, b ({b.Description}) is {rb} px; " +
                $"both are resized to {InceptionV3Features.InputSize} for Inception, but the distance then also measures the resolution difference");
        double fid = FrechetDistance.Compute(a.Statistics, b.Statistics);
        double? kidMean = null, kidStd = null;
        if (a.Features is { } fa && b.Features is { } fb)
        {
            var (mean, std) = KernelDistance.Compute(fa, fb, Options.KidSubsets, Options.KidSubsetSize, Options.Seed);
            kidMean = mean;
            kidStd = std;
        }
        else warnings.Add("KID not computed: a statistics-only side has no features");
        string suffix = InceptionNetwork.SuffixFor(a.Network);
        return new FidResult("FID" + suffix, fid, "KID" + suffix, kidMean, kidStd, a.Description, a.Count, b.Description, b.Count, a.Network, warnings);
    }

    /// <summary>Turns a spec into a set (statistics files are read; image sources are measured or taken from the cache).</summary>
    public EvalSet Resolve(string spec, long seed, string side)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new EvaluationException($"--{side}", "empty source");
        if (spec.StartsWith("stats:", StringComparison.Ordinal)) return StatisticsCache.Load(spec["stats:".Length..]);
        TorchRuntime.EnsureLoaded();
        var source = Source(spec, Options.FolderGlob);
        try { return Measure(source, seed, side); }
        finally { (source as IDisposable)?.Dispose(); }
    }

    /// <summary>
    /// The image source a spec names: stylegan:CKPT, synth:SIZE (the procedural face world) or an image folder (its
    /// files chosen by <paramref name="folderGlob"/>, else its manifest.txt, else all images).
    /// </summary>
    public static IImageSource Source(string spec, string? folderGlob = null) => spec switch
    {
        _ when spec.StartsWith("stylegan:", StringComparison.Ordinal) => new StyleGanEvalSource(spec["stylegan:".Length..]),
        _ when spec.StartsWith("synth:", StringComparison.Ordinal) => FaceWorld(spec,
            int.TryParse(spec["synth:".Length..], out var size) ? size : throw new EvaluationException(spec, "synth:SIZE needs an integer size")),
        _ => new FolderEvalSource(spec, folderGlob),
    };

    static FaceWorldSource FaceWorld(string spec, int size)
    {
        try { return new FaceWorldSource(size); }
        catch (SyntheticWorldException e) { throw new EvaluationException(spec, e.Message); }
    }

    /// <summary>Features and statistics of an image source (the first Count images; cached when a cache folder is set).</summary>
    public EvalSet Measure(IImageSource source, long seed, string side)
    {
        int count = Options.Count;
        if (source.Available is { } available && available < count)
        {
            log($"{side}: {source.Describe()} holds {available} images, fewer than the {count} asked for: using all {available}");
            count = (int)available;
        }
        if (count < 2) throw new EvaluationException($"--{side}", $"{source.Describe()}: need at least 2 images for statistics, got {count}");
        string? cachePath = Options.CacheFolder != null ? StatisticsCache.PathFor(Options.CacheFolder, source, seed, Network.Id, count) : null;
        if (cachePath != null && File.Exists(cachePath))
        {
            log($"{side}: cached statistics {cachePath}");
            return StatisticsCache.Load(cachePath);
        }
        log($"{side}: {source.Describe()}: extracting features of {count} images");
        var features = FeatureExtractor.Extract(source, Network, count, Options.Batch, seed, (done, total, seconds) =>
        {
            if (done == total || done % (Options.Batch * 20) < Options.Batch)
                log($"{side}: {done}/{total} images, {done / Math.Max(seconds, 1e-9):F1} images/s");
        });
        var set = new EvalSet(FeatureStatistics.FromFeatures(features), features, source.Resolution, Network.Id, source.Describe());
        if (cachePath != null)
        {
            StatisticsCache.Save(cachePath, set);
            log($"{side}: statistics cached in {cachePath}");
        }
        return set;
    }

    public void Dispose() => network?.Dispose();
}
