using System.Text.Json;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests;

/// <summary>Key/shape manifests from shared/fixtures and a comparison against a module's state dict.</summary>
public static class Manifest
{
    public sealed record Entry(string Key, long[] Shape);

    /// <summary>Reads a `state_dict` list of {key, shape} from a manifest file, optionally under a top-level property.</summary>
    public static List<Entry> Read(string path, string? property = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var list = property != null ? root.GetProperty(property)
            : root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("state_dict");
        return list.EnumerateArray()
            .Select(e => new Entry(e.GetProperty("key").GetString()!, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();
    }

    /// <summary>Asserts the module's state dict has exactly the manifest's keys, in order, with its shapes.</summary>
    public static void AssertMatches(torch.nn.Module module, IReadOnlyList<Entry> expected)
    {
        var actual = module.state_dict().Select(kv => new Entry(kv.Key, kv.Value.shape)).ToList();
        var missing = expected.Select(e => e.Key).Except(actual.Select(a => a.Key)).ToList();
        var unexpected = actual.Select(a => a.Key).Except(expected.Select(e => e.Key)).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"missing: [{string.Join(", ", missing)}]; unexpected: [{string.Join(", ", unexpected)}]");
        var byKey = actual.ToDictionary(a => a.Key, a => a.Shape);
        foreach (var e in expected)
            Assert.True(e.Shape.SequenceEqual(byKey[e.Key]), $"{e.Key}: expected [{string.Join(", ", e.Shape)}], got [{string.Join(", ", byKey[e.Key])}]");
    }

    public static long ParameterCount(torch.nn.Module module) => module.parameters().Sum(p => p.numel());
}
