using LiftedGan.IO;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.StyleGan2;

/// <summary>Loading of the stylegan2 fixtures and the max-abs-error assertion the parity tests share.</summary>
internal static class StyleGanFixtures
{
    public const double Tolerance = 1e-4;

    public static Tensor Load(string name) => Npy.Load(Shared.Fixture($"stylegan2/{name}"));

    public static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected.to(float64) - actual.detach().to(float64)).abs().max();
        double err = diff.item<double>();
        Assert.True(err <= tolerance, $"{what}: max abs error {err:E3} > {tolerance:E1}");
    }

    /// <summary>Reads a state-dict manifest (a JSON list of {key, shape}) into key → shape.</summary>
    public static Dictionary<string, long[]> ReadManifest(string path)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var list = root.ValueKind == System.Text.Json.JsonValueKind.Array ? root : root.GetProperty("state_dict");
        return list.EnumerateArray().ToDictionary(
            e => e.GetProperty("key").GetString()!,
            e => e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
    }
}
