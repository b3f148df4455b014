using System.Text.Json;
using LiftedGan.Checkpoints;
using Xunit;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>`liftedgan inspect` run in-process.</summary>
public class InspectCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LiftedGan.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    static List<(string Key, long[] Shape, string DType)> ManifestOf(string relative)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Shared.Fixture(relative)));
        return SharedFixtureCheckpointTests.Manifest(doc.RootElement);
    }

    static void AssertJsonTensors(JsonElement root, List<(string Key, long[] Shape, string DType)> expected, string prefix)
    {
        var tensors = root.GetProperty("tensors").EnumerateArray()
            .Where(t => t.GetProperty("key").GetString()!.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Select(e => prefix + e.Key), tensors.Select(t => t.GetProperty("key").GetString()));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Shape, tensors[i].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(expected[i].DType, tensors[i].GetProperty("dtype").GetString());
            Assert.Equal(expected[i].Shape.Aggregate(1L, (a, b) => a * b), tensors[i].GetProperty("numel").GetInt64());
        }
    }

    [SkippableTheory]
    [InlineData("stylegan2/g_small_zip.pt")]
    [InlineData("stylegan2/g_small_legacy.pt")]
    public void JsonListsEveryManifestTensorOfTheGenerator(string file)
    {
        var manifest = ManifestOf("stylegan2/g_small_state_dict_manifest.json");
        var (code, output, error) = Run("inspect", Shared.Fixture(file), "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        AssertJsonTensors(doc.RootElement, manifest, "g_ema.");
        Assert.Equal(69, doc.RootElement.GetProperty("tensor_count").GetInt32());
        Assert.Equal(manifest.Sum(m => m.Shape.Aggregate(1L, (a, b) => a * b)), doc.RootElement.GetProperty("total_parameters").GetInt64());
        Assert.Empty(doc.RootElement.GetProperty("values").EnumerateArray());
    }

    [SkippableFact]
    public void JsonOfTheLiftedGanCheckpointHasNetsAndPlainValues()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Shared.Fixture("liftedgan_nets/checkpoint_003_manifest.json")));
        var (code, output, error) = Run("inspect", Shared.Fixture("liftedgan_nets/checkpoint_003.pth"), "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        foreach (var net in new[] { "netD", "netT", "netSD", "netSC" })
            AssertJsonTensors(doc.RootElement, SharedFixtureCheckpointTests.Manifest(manifest.RootElement.GetProperty(net)), net + ".");
        var values = doc.RootElement.GetProperty("values").EnumerateArray()
            .ToDictionary(v => v.GetProperty("key").GetString()!, v => v.GetProperty("value").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["global_step"] = "12345", ["epoch"] = "3" }, values);
        Assert.Equal(13_455_659L, doc.RootElement.GetProperty("total_parameters").GetInt64());
    }

    [SkippableFact]
    public void TableShowsKeysShapesDtypesAndTotals()
    {
        var manifest = ManifestOf("stylegan2/g_small_state_dict_manifest.json");
        var (code, output, error) = Run("inspect", Shared.Fixture("stylegan2/g_small_zip.pt"));
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        foreach (var (key, shape, dtype) in manifest)
        {
            var line = Assert.Single(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == "g_ema." + key);
            Assert.Contains($"[{string.Join(", ", shape)}]", line);
            Assert.Contains(dtype, line);
        }
        Assert.Contains("69 tensors, 99,651 parameters", output);
    }

    [Fact]
    public void CommittedFixtureShowsPlainValuesInTableAndJson()
    {
        string path = CheckpointTestData.File("proto4_namespace_zip.pt");
        var (code, output, error) = Run("inspect", path);
        Assert.True(code == 0, error);
        Assert.Contains("args.ckpt", output);
        Assert.Contains("'550000.pt'", output);
        Assert.Contains("pairs.(1, 'a')", output);
        (code, output, error) = Run("inspect", path, "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var values = doc.RootElement.GetProperty("values").EnumerateArray()
            .ToDictionary(v => v.GetProperty("key").GetString()!, v => v.GetProperty("value").GetString());
        Assert.Equal("256", values["args.size"]);
        Assert.Equal("0.002", values["args.lr"]);
        Assert.Equal("None", values["args.wandb"]);
        Assert.Equal("(6.5, None)", values["pairs.(2, 'b')"]);
        Assert.Equal(3, doc.RootElement.GetProperty("tensor_count").GetInt32());
        // style.1.bias is a view of style.1.weight's storage but a distinct tensor: it counts.
        Assert.Equal(12 + 4 + 6, doc.RootElement.GetProperty("total_parameters").GetInt64());
    }

    [Fact]
    public void BadInputExitsNonZeroWithOneLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"inspect-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string text = Path.Combine(dir, "notes.pt");
        File.WriteAllText(text, "this is not a checkpoint");
        try
        {
            foreach (var (arg, problem) in new[] { (Path.Combine(dir, "missing.pt"), "no such file"), (dir, "is a directory"), (text, "unknown format") })
            {
                var (code, output, error) = Run("inspect", arg);
                Assert.NotEqual(0, code);
                Assert.Equal("", output);
                var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("liftedgan: error: ", line);
                Assert.Contains(arg, line);
                Assert.Contains(problem, line);
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
