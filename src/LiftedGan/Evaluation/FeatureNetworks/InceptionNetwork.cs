using System.Security.Cryptography;
using LiftedGan.Checkpoints;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// A feature extractor with what a metric computed on it must be called: the official FID weights give "FID";
/// torchvision's ImageNet weights give "FID(torchvision-inception)" (a different, non-comparable number); without
/// weights, the same FID architecture with the deterministic hashed weights gives "FID(hashed-inception)" — it is
/// only a fixed random-feature distance for comparing runs of this project, never a number comparable to papers.
/// <see cref="Id"/> names the weights (file content hash) for statistics caches.
/// </summary>
public sealed class InceptionNetwork : IDisposable
{
    InceptionNetwork(InceptionV3Features features, string id, string metricSuffix, string description)
    {
        Features = features;
        Id = id;
        MetricSuffix = metricSuffix;
        Description = description;
    }

    public InceptionV3Features Features { get; }

    /// <summary>Identifies the weights, e.g. <c>inception-fid:sha256-1a2b…</c> or <c>hashed-inception-v1</c>.</summary>
    public string Id { get; }

    /// <summary>"" for the official FID weights, otherwise "(torchvision-inception)" or "(hashed-inception)".</summary>
    public string MetricSuffix { get; }

    /// <summary>One line saying which network this is.</summary>
    public string Description { get; }

    /// <summary>True when the features are the standard FID Inception (numbers comparable to published FIDs).</summary>
    public bool IsStandard => MetricSuffix.Length == 0;

    /// <summary>The label suffix of features made by the network with this <see cref="Id"/> (or official statistics).</summary>
    public static string SuffixFor(string id) =>
        IsStandardId(id) ? "" : id.StartsWith("inception-torchvision:", StringComparison.Ordinal) ? "(torchvision-inception)"
        : id.StartsWith("hashed-inception", StringComparison.Ordinal) ? "(hashed-inception)" : $"({id})";

    /// <summary>Whether features from networks with these ids can be compared (same weights, or both standard FID).</summary>
    public static bool Comparable(string a, string b) => a == b || (IsStandardId(a) && IsStandardId(b));

    static bool IsStandardId(string id) => id == StatisticsCache.OfficialNetwork || id.StartsWith("inception-fid:", StringComparison.Ordinal);

    /// <summary>Metric name to print, e.g. "FID" or "KID(hashed-inception)".</summary>
    public string Label(string metric) => metric + MetricSuffix;

    /// <summary>The labelled substitute: the FID architecture with the hashed weights.</summary>
    public static InceptionNetwork Hashed()
    {
        TorchRuntime.EnsureLoaded();
        return new InceptionNetwork(HashedInceptionWeights.Create(), "hashed-inception-v1", "(hashed-inception)",
            "substitute: FID Inception-v3 architecture with deterministic hashed weights (no Inception weights given; not comparable to published FID)");
    }

    /// <summary>
    /// Loads user-supplied weights: <c>pt_inception-2015-12-05-6726825d.pth</c> (fid_inception_v3 layout, fc 1008),
    /// pytorch-fid's InceptionV3 wrapper (<c>blocks.*</c>), or torchvision's inception_v3 (fc 1000 and/or AuxLogits).
    /// </summary>
    public static InceptionNetwork Load(string path)
    {
        if (!File.Exists(path)) throw new EvaluationException(path, "Inception weights file does not exist");
        TorchRuntime.EnsureLoaded();
        var file = TorchCheckpoint.LoadStateDict(path);
        try
        {
            var dict = file.ToDictionary(kv => kv.Key.StartsWith("module.", StringComparison.Ordinal) ? kv.Key["module.".Length..] : kv.Key, kv => kv.Value);
            var wrapper = dict.Keys.Any(k => k.StartsWith("blocks.", StringComparison.Ordinal));
            var torchvision = !wrapper && (dict.Keys.Any(k => k.StartsWith("AuxLogits.", StringComparison.Ordinal))
                || (dict.TryGetValue("fc.weight", out var fc) && fc.shape[0] == 1000));
            var variant = torchvision ? InceptionVariant.Torchvision : InceptionVariant.Fid;
            var net = new InceptionV3Features(variant);
            var wanted = dict.Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal) && !kv.Key.StartsWith("AuxLogits.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            try { StateDict.Load(net, wanted, strict: true, wrapper ? WrapperKey : null); }
            catch (StateDictMismatchException e)
            {
                net.Dispose();
                throw new EvaluationException(path, $"is not an Inception-v3 checkpoint (pt_inception / InceptionV3 wrapper / torchvision layout): {e.Report}");
            }
            string hash = Sha256(path);
            return torchvision
                ? new InceptionNetwork(net, $"inception-torchvision:sha256-{hash}", "(torchvision-inception)",
                    $"torchvision ImageNet Inception-v3 ({Path.GetFileName(path)}); not the TF FID weights, numbers are not comparable to published FID")
                : new InceptionNetwork(net, $"inception-fid:sha256-{hash}", "",
                    $"FID Inception-v3 ({Path.GetFileName(path)}{(wrapper ? ", InceptionV3 wrapper layout" : "")})");
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }

    /// <summary>Module key → pytorch-fid wrapper key (<c>Mixed_5b.x</c> → <c>blocks.2.0.x</c>).</summary>
    static string WrapperKey(string key)
    {
        int dot = key.IndexOf('.');
        string head = key[..dot], rest = key[dot..];
        string[][] blocks =
        [
            ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3"],
            ["Conv2d_3b_1x1", "Conv2d_4a_3x3"],
            ["Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"],
            ["Mixed_7a", "Mixed_7b", "Mixed_7c"],
        ];
        for (int b = 0; b < blocks.Length; b++)
        {
            int i = Array.IndexOf(blocks[b], head);
            if (i >= 0) return $"blocks.{b}.{i}{rest}";
        }
        return key;
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    public void Dispose() => Features.Dispose();
}
