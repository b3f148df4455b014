using LiftedGan.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

public class StateDictTests
{
    /// <summary>A small module with readable names: <c>blocks.N.weight/bias</c> plus a buffer.</summary>
    sealed class Tiny : nn.Module
    {
        public readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Linear> blocks;
        public readonly Tensor running;

        public Tiny() : base("Tiny")
        {
            blocks = nn.ModuleList(nn.Linear(3, 4), nn.Linear(4, 2));
            running = zeros(2);
            RegisterComponents();
        }
    }

    static string ToOfficial(string key) => key.Replace("blocks.", "network.", StringComparison.Ordinal);

    static Dictionary<string, Tensor> Official(int seed)
    {
        var g = new Generator((ulong)seed);
        return new Dictionary<string, Tensor>
        {
            ["network.0.weight"] = randn(4, 3, generator: g),
            ["network.0.bias"] = randn(4, generator: g),
            ["network.1.weight"] = randn(2, 4, generator: g),
            ["network.1.bias"] = randn(2, generator: g),
            ["running"] = randn(2, generator: g).to(ScalarType.Float64), // converted to the module's float32
        };
    }

    [Fact]
    public void StrictLoadWithNameMapCopiesEveryTensor()
    {
        using var scope = NewDisposeScope();
        using var module = new Tiny();
        var dict = Official(1);
        var report = StateDict.Load(module, dict, strict: true, ToOfficial);
        Assert.True(report.IsExact);
        Assert.Equal(5, report.Loaded.Count);
        Assert.True(module.blocks[0].weight!.eq(dict["network.0.weight"]).all().item<bool>());
        Assert.True(module.blocks[1].bias!.eq(dict["network.1.bias"]).all().item<bool>());
        Assert.True(module.running.allclose(dict["running"].to(ScalarType.Float32)));
        Assert.Equal(ScalarType.Float32, module.running.dtype);
        Assert.True(module.blocks[0].weight!.requires_grad);
    }

    [Fact]
    public void StrictLoadReportsEveryDifferenceAndCopiesNothing()
    {
        using var scope = NewDisposeScope();
        using var module = new Tiny();
        using var before = module.blocks[0].weight!.detach().clone();
        var dict = Official(2);
        dict.Remove("network.1.bias");
        dict["network.0.bias"] = randn(5);
        dict["extra.weight"] = randn(1);
        var e = Assert.Throws<StateDictMismatchException>(() => StateDict.Load(module, dict, strict: true, ToOfficial));
        Assert.Equal(new[] { "network.1.bias" }, e.Report.Missing);
        Assert.Equal(new[] { "extra.weight" }, e.Report.Unexpected);
        var mismatch = Assert.Single(e.Report.ShapeMismatch);
        Assert.Equal(("blocks.0.bias", "network.0.bias"), (mismatch.ModuleKey, mismatch.FileKey));
        Assert.Equal(new long[] { 5 }, mismatch.FileShape);
        Assert.Contains("network.1.bias", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.True(module.blocks[0].weight!.eq(before).all().item<bool>(), "nothing may be copied on a strict failure");
    }

    [Fact]
    public void NonStrictLoadCopiesWhatMatchesAndReports()
    {
        using var scope = NewDisposeScope();
        using var module = new Tiny();
        var dict = Official(3);
        dict.Remove("running");
        dict["unused"] = ones(1);
        var report = StateDict.Load(module, dict, strict: false, ToOfficial);
        Assert.Equal(new[] { "running" }, report.Missing);
        Assert.Equal(new[] { "unused" }, report.Unexpected);
        Assert.Equal(4, report.Loaded.Count);
        Assert.True(module.blocks[1].weight!.eq(dict["network.1.weight"]).all().item<bool>());
    }

    [Fact]
    public void ExportSaveLoadRoundTripUsesOfficialNames()
    {
        using var scope = NewDisposeScope();
        using var source = new Tiny();
        StateDict.Load(source, Official(4), true, ToOfficial);
        var exported = StateDict.Export(source, ToOfficial);
        Assert.Equal(new[] { "network.0.weight", "network.0.bias", "network.1.weight", "network.1.bias", "running" }, exported.Keys);
        string path = CheckpointTestData.TempPath(".pt");
        try
        {
            var root = new PyDict { ["g_ema"] = exported, ["iter"] = 5L };
            TorchCheckpoint.Save(path, root);
            var raw = (PyDict)TorchCheckpoint.Load(path)!;
            Assert.True(((PyDict)raw["g_ema"]!).IsOrdered);
            TorchCheckpoint.DisposeTensors(raw);
            var loaded = TorchCheckpoint.LoadStateDict(path, "g_ema");
            using var target = new Tiny();
            Assert.True(StateDict.Load(target, loaded, true, ToOfficial).IsExact);
            Assert.True(target.blocks[0].weight!.eq(source.blocks[0].weight!).all().item<bool>());
            foreach (var t in loaded.Values) t.Dispose();
            var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(path, "missing"));
            Assert.Contains("g_ema", e.Message);
        }
        finally { File.Delete(path); }
    }
}
