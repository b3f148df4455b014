using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

public class InceptionTests
{
    readonly ITestOutputHelper output;

    public InceptionTests(ITestOutputHelper output)
    {
        this.output = output;
        TorchRuntime.EnsureLoaded();
    }

    const string FidLayout = "fid_inception_v3_state_dict (pt_inception-2015-12-05 layout)";

    static List<Manifest.Entry> WithoutHeads(IEnumerable<Manifest.Entry> entries) =>
        entries.Where(e => !e.Key.StartsWith("fc.", StringComparison.Ordinal) && !e.Key.StartsWith("AuxLogits.", StringComparison.Ordinal)).ToList();

    [SkippableFact]
    public void FidVariantHasThePtInceptionKeysAndShapes()
    {
        var manifest = Manifest.Read(Shared.Fixture("torchvision/inception_fid_manifest.json"), FidLayout);
        using var net = new InceptionV3Features(InceptionVariant.Fid);
        Manifest.AssertMatches(net, WithoutHeads(manifest));
        Assert.Equal(566, manifest.Count);
    }

    [SkippableFact]
    public void TorchvisionVariantHasTheTorchvisionKeysAndShapes()
    {
        var manifest = Manifest.Read(Shared.Fixture("torchvision/inception_v3_torchvision_manifest.json"));
        using var net = new InceptionV3Features(InceptionVariant.Torchvision);
        Manifest.AssertMatches(net, WithoutHeads(manifest));
        Assert.Contains(manifest, e => e.Key.StartsWith("AuxLogits.", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void HashedWeightsMatchTheFixtureGenerator()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Shared.Fixture("torchvision/inception_fid_hashed_weights.json")));
        using var net = HashedInceptionWeights.Create();
        var state = net.state_dict();
        var order = HashedInceptionWeights.PytorchOrder(net).ToList();
        Assert.Equal(state.Count, order.Count);
        int checkedTensors = 0;
        foreach (var e in doc.RootElement.GetProperty("tensors").EnumerateArray())
        {
            string key = e.GetProperty("key").GetString()!;
            var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            int seed = e.GetProperty("seed").GetInt32();
            var (a, b) = HashedInceptionWeights.Range(key, shape);
            Assert.Equal(e.GetProperty("a").GetDouble(), a, 12);
            Assert.Equal(e.GetProperty("b").GetDouble(), b, 12);
            float[] values;
            if (state.TryGetValue(key, out var t))
            {
                int position = order.IndexOf(key) + 1;
                Assert.True(seed == position, $"{key}: seed {seed}, module position {position}");
                values = t.contiguous().data<float>().ToArray();
            }
            else values = HashedInceptionWeights.Values(seed, shape.Aggregate(1L, (p, d) => p * d), a, b);
            var first4 = e.GetProperty("first4").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.Equal(first4, values.Take(4).ToArray());
            Assert.Equal(e.GetProperty("sum_f64").GetDouble(), values.Sum(v => (double)v), 6);
            checkedTensors++;
        }
        Assert.True(checkedTensors > 370, $"checked {checkedTensors}");
    }

    [SkippableFact]
    public void HashedNetworkMatchesPytorchFidBlockOutputs()
    {
        using var x01 = Npy.Load(Shared.Fixture("torchvision/inception_x.npy"));
        using var net = HashedInceptionWeights.Create();
        using var scope = NewDisposeScope();
        var blocks = net.Blocks(x01 * 2 - 1);
        double[] atol = [1e-4, 1e-4, 1e-3, 1e-3];
        for (int i = 0; i < 4; i++)
        {
            var expected = Npy.Load(Shared.Fixture($"torchvision/inception_fid_block{i}.npy"));
            Assert.Equal(expected.shape, blocks[i].shape);
            double diff = (blocks[i] - expected).abs().max().item<float>();
            output.WriteLine($"block {i}: max abs diff {diff:E2}");
            Assert.True(diff < atol[i], $"block {i}: max abs diff {diff}");
        }
        var pool3 = Npy.Load(Shared.Fixture("torchvision/inception_fid_pool3_2048.npy"));
        var features = net.forward(x01 * 2 - 1);
        Assert.Equal(new long[] { 1, 2048 }, features.shape);
        double poolDiff = (features - pool3).abs().max().item<float>();
        output.WriteLine($"pool3: max abs diff {poolDiff:E2}");
        Assert.True(poolDiff < 1e-3);
    }

    [Fact]
    public void LoadsBothLayoutsAndRejectsOthers()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-inception-").FullName;
        try
        {
            using var source = HashedInceptionWeights.Create();
            var dict = StateDict.Export(source).ToDictionary(kv => kv.Key, kv => kv.Value);
            using var fc = zeros(1008, 2048);
            var fid = new Dictionary<string, Tensor>(dict) { ["fc.weight"] = fc };
            string fidPath = Path.Combine(dir, "pt_inception.pth");
            Safetensors.Save(fidPath, fid);
            using (var loaded = InceptionNetwork.Load(fidPath))
            {
                Assert.Equal(InceptionVariant.Fid, loaded.Features.Variant);
                Assert.True(loaded.IsStandard);
                Assert.Equal("FID", loaded.Label("FID"));
                var w = loaded.Features.state_dict()["Mixed_6e.branch7x7dbl_5.conv.weight"];
                Assert.True(w.equal(dict["Mixed_6e.branch7x7dbl_5.conv.weight"]).all().item<bool>());
            }
            using var aux = zeros(1000, 768);
            var tv = new Dictionary<string, Tensor>(dict) { ["AuxLogits.fc.weight"] = aux };
            string tvPath = Path.Combine(dir, "inception_v3_google.pth");
            Safetensors.Save(tvPath, tv);
            using (var loaded = InceptionNetwork.Load(tvPath))
            {
                Assert.Equal(InceptionVariant.Torchvision, loaded.Features.Variant);
                Assert.Equal("FID(torchvision-inception)", loaded.Label("FID"));
            }
            string[] order = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "|", "Conv2d_3b_1x1", "Conv2d_4a_3x3", "|",
                "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "|", "Mixed_7a", "Mixed_7b", "Mixed_7c"];
            var wrapperName = new Dictionary<string, string>();
            for (int i = 0, block = 0, index = 0; i < order.Length; i++)
            {
                if (order[i] == "|") { block++; index = 0; continue; }
                wrapperName[order[i]] = $"blocks.{block}.{index++}";
            }
            var wrapper = dict.ToDictionary(kv => wrapperName[kv.Key[..kv.Key.IndexOf('.')]] + kv.Key[kv.Key.IndexOf('.')..], kv => kv.Value);
            string wrapperPath = Path.Combine(dir, "fid_wrapper.pth");
            Safetensors.Save(wrapperPath, wrapper);
            using (var loaded = InceptionNetwork.Load(wrapperPath))
            {
                Assert.Equal(InceptionVariant.Fid, loaded.Features.Variant);
                var w = loaded.Features.state_dict()["Mixed_7b.branch3x3dbl_3a.bn.running_var"];
                Assert.True(w.equal(dict["Mixed_7b.branch3x3dbl_3a.bn.running_var"]).all().item<bool>());
            }
            var broken = dict.Where(kv => !kv.Key.StartsWith("Mixed_7c", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
            string brokenPath = Path.Combine(dir, "broken.pth");
            Safetensors.Save(brokenPath, broken);
            var e = Assert.Throws<EvaluationException>(() => InceptionNetwork.Load(brokenPath));
            Assert.Contains("missing", e.Message);
            Assert.Throws<EvaluationException>(() => InceptionNetwork.Load(Path.Combine(dir, "absent.pth")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
