using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>A module tensor whose shape differs from the file's.</summary>
public sealed record KeyShapeMismatch(string ModuleKey, string FileKey, long[] ModuleShape, long[] FileShape)
{
    public override string ToString() =>
        $"{FileKey}: file [{string.Join(", ", FileShape)}], module {ModuleKey} [{string.Join(", ", ModuleShape)}]";
}

/// <summary>What <see cref="StateDict.Load"/> did: keys loaded, and the file-side names missing, unexpected or mis-shaped.</summary>
public sealed record StateDictReport(
    IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<KeyShapeMismatch> ShapeMismatch)
{
    /// <summary>True when every module tensor was loaded and the file had nothing else.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatch.Count == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"missing {Missing.Count}: {string.Join(", ", Missing.Take(20))}{(Missing.Count > 20 ? ", ..." : "")}");
        if (Unexpected.Count > 0) parts.Add($"unexpected {Unexpected.Count}: {string.Join(", ", Unexpected.Take(20))}{(Unexpected.Count > 20 ? ", ..." : "")}");
        if (ShapeMismatch.Count > 0) parts.Add($"shape mismatch {ShapeMismatch.Count}: {string.Join("; ", ShapeMismatch.Take(20))}");
        return parts.Count == 0 ? $"all {Loaded.Count} tensors loaded" : string.Join("; ", parts);
    }
}

/// <summary>A strict state-dict load that found differences; nothing was copied.</summary>
public sealed class StateDictMismatchException(StateDictReport report)
    : CheckpointException("state dict", report.ToString())
{
    public StateDictReport Report { get; } = report;
}

/// <summary>
/// Loads dictionaries of tensors into TorchSharp modules by name and exports them back. A name map turns a
/// module's own key (<c>blocks.3.conv.weight</c>) into the file's official key (<c>convs.3.conv.weight</c>).
/// </summary>
public static class StateDict
{
    /// <summary>
    /// Copies <paramref name="dict"/> into the module's parameters and buffers (converting dtype and device).
    /// Strict: any missing, unexpected or mis-shaped key throws <see cref="StateDictMismatchException"/> before
    /// anything is copied. Not strict: the matching tensors are copied and the rest reported.
    /// </summary>
    public static StateDictReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> dict, bool strict = true,
        Func<string, string>? mapModuleKeyToFileKey = null)
    {
        var map = mapModuleKeyToFileKey ?? (k => k);
        var targets = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var mismatched = new List<KeyShapeMismatch>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var copies = new List<(Tensor Target, Tensor Source)>();
        foreach (var (moduleKey, target) in targets)
        {
            string fileKey = map(moduleKey);
            if (!dict.TryGetValue(fileKey, out var source)) { missing.Add(fileKey); continue; }
            used.Add(fileKey);
            if (!source.shape.SequenceEqual(target.shape)) { mismatched.Add(new KeyShapeMismatch(moduleKey, fileKey, target.shape, source.shape)); continue; }
            copies.Add((target, source));
            loaded.Add(moduleKey);
        }
        var unexpected = dict.Keys.Where(k => !used.Contains(k)).ToList();
        var report = new StateDictReport(loaded, missing, unexpected, mismatched);
        if (strict && !report.IsExact) throw new StateDictMismatchException(report);
        using (torch.no_grad())
            foreach (var (target, source) in copies) target.copy_(source);
        return report;
    }

    /// <summary>The module's parameters and buffers under file key names (detached; they share the module's memory).</summary>
    public static IReadOnlyDictionary<string, Tensor> Export(nn.Module module, Func<string, string>? mapModuleKeyToFileKey = null)
    {
        var map = mapModuleKeyToFileKey ?? (k => k);
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t) in module.state_dict())
            if (!result.TryAdd(map(key), t.detach()))
                throw new ArgumentException($"state dict: two module keys map to '{map(key)}'");
        return result;
    }
}
