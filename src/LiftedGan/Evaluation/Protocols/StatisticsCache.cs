using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LiftedGan.Checkpoints;
using LiftedGan.Data;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Feature statistics on disk. Our own files are safetensors with <c>mean</c> (float64, D), <c>cov</c> (float64,
/// D×D) and <c>features</c> (float32, N×D), and metadata <c>source</c>, <c>network</c>, <c>count</c>,
/// <c>resolution</c>; cached files are named by a hash of (source description, seed when random, network, count).
/// The official statistics pickle (<c>inception_ffhq_cropped_256.pkl</c>: mean, cov, size, path) is read too.
/// </summary>
public static class StatisticsCache
{
    /// <summary>Network name recorded for statistics made by the official scripts (the standard FID Inception).</summary>
    public const string OfficialNetwork = "official-fid-inception";

    /// <summary>The cache file for a source drawn with a seed, a network and a count.</summary>
    public static string PathFor(string folder, IImageSource source, long seed, string network, int count)
    {
        string key = $"{source.Describe()}\n{(source.IsRandom ? seed.ToString(CultureInfo.InvariantCulture) : "-")}\n{network}\n{count}";
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        return System.IO.Path.Combine(folder, $"stats-{hash}.safetensors");
    }

    /// <summary>Writes a set (atomically, as every safetensors save).</summary>
    public static void Save(string path, EvalSet set)
    {
        var tensors = new Dictionary<string, Tensor> { ["mean"] = set.Statistics.Mean, ["cov"] = set.Statistics.Covariance };
        if (set.Features is { } f) tensors["features"] = f;
        var metadata = new Dictionary<string, string>
        {
            ["source"] = set.Description,
            ["network"] = set.Network,
            ["count"] = set.Count.ToString(CultureInfo.InvariantCulture),
            ["resolution"] = set.Resolution?.ToString(CultureInfo.InvariantCulture) ?? "",
        };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        Safetensors.Save(path, tensors, metadata);
    }

    /// <summary>Reads our safetensors statistics or an official statistics pickle.</summary>
    public static EvalSet Load(string path)
    {
        if (!File.Exists(path)) throw new EvaluationException(path, "statistics file does not exist");
        if (CheckpointFile.Detect(path) == CheckpointFormat.Safetensors)
        {
            var content = Safetensors.Read(path);
            try
            {
                var meta = content.Metadata;
                var t = content.Tensors;
                return Build(path, t.GetValueOrDefault("mean"), t.GetValueOrDefault("cov"), t.GetValueOrDefault("features"),
                    meta.GetValueOrDefault("network") ?? OfficialNetwork,
                    meta.TryGetValue("count", out var cs) && long.TryParse(cs, CultureInfo.InvariantCulture, out var c) ? c : null,
                    meta.TryGetValue("resolution", out var r) && int.TryParse(r, CultureInfo.InvariantCulture, out var ri) ? ri : null,
                    meta.GetValueOrDefault("source") ?? "statistics");
            }
            finally { foreach (var t in content.Tensors.Values) t.Dispose(); }
        }
        var root = TorchCheckpoint.Load(path);
        try
        {
            if (root is not PyDict dict) throw new EvaluationException(path, "not a statistics file (expected a dict with 'mean' and 'cov')");
            Tensor? Get(string key) => dict.TryGet(key, out var v) ? v as Tensor : null;
            int? size = dict.TryGet("size", out var s) && s is long sl ? (int)sl : null;
            string source = dict.TryGet("path", out var p) && p is string ps ? $"official statistics of {ps}" : "official statistics";
            return Build(path, Get("mean"), Get("cov"), Get("features"), OfficialNetwork, null, size, source);
        }
        finally
        {
            TorchCheckpoint.DisposeTensors(root);
        }
    }

    static EvalSet Build(string path, Tensor? mean, Tensor? cov, Tensor? features, string network, long? count, int? resolution, string source)
    {
        if (mean is null || cov is null) throw new EvaluationException(path, "not a statistics file (needs 'mean' and 'cov')");
        if (mean.dim() != 1 || cov.dim() != 2 || cov.shape[0] != mean.shape[0] || cov.shape[1] != mean.shape[0])
            throw new EvaluationException(path, $"mean [{string.Join(", ", mean.shape)}] and cov [{string.Join(", ", cov.shape)}] do not fit together");
        // The official pickle does not record its sample count; calc_inception.py uses 50,000 by default.
        long n = count ?? features?.shape[0] ?? 50000;
        var stats = new FeatureStatistics(mean.to(ScalarType.Float64).clone(), cov.to(ScalarType.Float64).clone(), n);
        return new EvalSet(stats, features?.to(ScalarType.Float32).clone(), resolution, network, $"{source} [{System.IO.Path.GetFileName(path)}]");
    }
}
