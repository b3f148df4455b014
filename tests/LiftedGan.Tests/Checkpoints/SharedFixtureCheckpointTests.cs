using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.IO;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>The PyTorch-made checkpoints in ../shared/fixtures against their manifests (skipped without ../shared).</summary>
public class SharedFixtureCheckpointTests
{
    internal static List<(string Key, long[] Shape, string DType)> Manifest(JsonElement list) =>
        list.EnumerateArray().Select(e => (e.GetProperty("key").GetString()!,
            e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), e.GetProperty("dtype").GetString()!)).ToList();

    static List<(string Key, long[] Shape, string DType)> Manifest(string relative)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Shared.Fixture(relative)));
        return Manifest(doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("state_dict"));
    }

    static void AssertLayout(List<(string Key, long[] Shape, string DType)> expected, IReadOnlyDictionary<string, Tensor> actual, string prefix = "")
    {
        Assert.Equal(expected.Select(e => prefix + e.Key), actual.Keys);
        foreach (var (key, shape, dtype) in expected)
        {
            var t = actual[prefix + key];
            Assert.Equal(shape, t.shape);
            Assert.Equal(dtype, TensorDType.NameOf(t.dtype));
        }
    }

    static void DisposeAll(IReadOnlyDictionary<string, Tensor> d) { foreach (var t in d.Values) t.Dispose(); }

    [SkippableFact]
    public void StyleGanSmallZipAndLegacyMatchManifestAndEachOtherBitForBit()
    {
        var manifest = Manifest("stylegan2/g_small_state_dict_manifest.json");
        var zip = TorchCheckpoint.LoadStateDict(Shared.Fixture("stylegan2/g_small_zip.pt"), "g_ema");
        var legacy = TorchCheckpoint.LoadStateDict(Shared.Fixture("stylegan2/g_small_legacy.pt"), "g_ema");
        try
        {
            Assert.Equal(69, manifest.Count);
            AssertLayout(manifest, zip);
            AssertLayout(manifest, legacy);
            foreach (var key in zip.Keys) CheckpointWriterTests.AssertTensorEqual(zip[key], legacy[key], key);
            // The FIR kernel buffers are make_kernel([1,3,3,1]) × 4, which the op fixture holds exactly.
            using var kernel = Npy.Load(Shared.Fixture("stylegan2/op_make_kernel_1331.npy"));
            using var scaled = kernel * 4;
            foreach (var key in zip.Keys.Where(k => k.EndsWith(".kernel", StringComparison.Ordinal)))
                Assert.True(zip[key].eq(scaled).all().item<bool>(), key);
            Assert.Equal(6, zip.Keys.Count(k => k.EndsWith(".kernel", StringComparison.Ordinal)));
        }
        finally { DisposeAll(zip); DisposeAll(legacy); }
    }

    [SkippableFact]
    public void LiftedGanCheckpointMatchesManifest()
    {
        string path = Shared.Fixture("liftedgan_nets/checkpoint_003.pth");
        using var doc = JsonDocument.Parse(File.ReadAllText(Shared.Fixture("liftedgan_nets/checkpoint_003_manifest.json")));
        var root = (PyDict)TorchCheckpoint.Load(path)!;
        try
        {
            Assert.Equal(new object?[] { "netD", "netT", "netSD", "netSC", "global_step", "epoch" }, root.Keys);
            Assert.Equal(doc.RootElement.GetProperty("global_step").GetInt64(), root["global_step"]);
            Assert.Equal(doc.RootElement.GetProperty("epoch").GetInt64(), root["epoch"]);
            long total = 0;
            foreach (var net in new[] { "netD", "netT", "netSD", "netSC" })
            {
                var sd = (PyDict)root[net]!;
                Assert.True(sd.IsOrdered);
                Assert.NotNull(sd.Attributes?["_metadata"]);
                var dict = sd.ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
                var manifest = Manifest(doc.RootElement.GetProperty(net));
                Assert.Equal(manifest.Select(m => m.Key), sd.Keys.Cast<string>());
                AssertLayout(manifest, dict);
                total += dict.Values.Sum(t => t.numel());
            }
            Assert.Equal(6_490_769L + 2_930_128 + 1_716_810 + 2_317_952, total);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    [SkippableFact]
    public void ChainGeneratorHasTheOfficialGeneratorKeysWithTwoMappingLayers()
    {
        var full = Manifest("manifests/stylegan2_generator_256_style512_mlp8.json");
        var expectedKeys = full.Select(m => m.Key)
            .Where(k => !System.Text.RegularExpressions.Regex.IsMatch(k, @"^style\.[3-8]\.")).ToList();
        var sd = TorchCheckpoint.LoadStateDict(Shared.Fixture("liftedgan_nets/g_chain256_zip.pt"), "g_ema");
        try
        {
            Assert.Equal(expectedKeys, sd.Keys);
            Assert.All(sd.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
            Assert.Equal(new long[] { 64, 64 }, sd["style.1.weight"].shape);
            Assert.Equal(new long[] { 1, 16, 4, 4 }, sd["input.input"].shape);
            Assert.Equal(new long[] { 1, 1, 256, 256 }, sd["noises.noise_12"].shape);
            // Same layer dimensions as the full-size manifest wherever they do not depend on channels or style size.
            foreach (var (key, shape, _) in full.Where(m => m.Key.StartsWith("noises.", StringComparison.Ordinal)))
                Assert.Equal(shape, sd[key].shape);
        }
        finally { DisposeAll(sd); }
    }

    [SkippableFact]
    public void Vgg16FeaturesAreTheFirst20TensorsOfTheTorchvisionLayout()
    {
        var full = Manifest("torchvision/vgg16_full_manifest.json");
        var sd = TorchCheckpoint.LoadStateDict(Shared.Fixture("torchvision/vgg16_features_0_22_zip.pth"));
        try
        {
            var expected = full.Where(m => m.Key.StartsWith("features.", StringComparison.Ordinal)
                                           && int.Parse(m.Key.Split('.')[1]) <= 21).ToList();
            Assert.Equal(20, expected.Count);
            AssertLayout(expected, sd);
            Assert.Equal(7_635_264L, sd.Values.Sum(t => t.numel()));
        }
        finally { DisposeAll(sd); }
    }
}
