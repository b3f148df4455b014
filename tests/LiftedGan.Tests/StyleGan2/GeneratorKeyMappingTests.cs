using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;
using static LiftedGan.Tests.StyleGan2.StyleGanFixtures;

namespace LiftedGan.Tests.StyleGan2;

public class GeneratorKeyMappingTests
{
    static void AssertSameKeysAndShapes(Dictionary<string, long[]> expected, nn.Module model)
    {
        var ours = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var missing = expected.Keys.Except(ours.Keys).ToList();
        var unexpected = ours.Keys.Except(expected.Keys).ToList();
        var mismatched = expected.Keys.Intersect(ours.Keys)
            .Where(k => !expected[k].SequenceEqual(ours[k])).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
        Assert.True(unexpected.Count == 0, "unexpected: " + string.Join(", ", unexpected));
        Assert.True(mismatched.Count == 0, "shape mismatch: " + string.Join(", ", mismatched));
    }

    [SkippableFact]
    public void FullSizeOfficialManifestMapsWithNoMissingOrUnexpectedKeys()
    {
        var manifest = ReadManifest(Shared.Fixture("manifests/stylegan2_generator_256_style512_mlp8.json"));
        Assert.Equal(135, manifest.Count);
        using var g = new StyleGenerator(GeneratorConfig.Paper, new Generator(1));
        AssertSameKeysAndShapes(manifest, g);
        long trainable = g.parameters().Sum(p => p.numel());
        Assert.Equal(13_882_514, trainable);
    }

    [SkippableFact]
    public void SmallFixtureManifestMaps()
    {
        var manifest = ReadManifest(Shared.Fixture("stylegan2/g_small_state_dict_manifest.json"));
        var config = new GeneratorConfig
        {
            Size = 32, StyleDim = 64, MappingLayers = 2,
            Channels = new Dictionary<int, int> { [4] = 32, [8] = 32, [16] = 32, [32] = 32 },
        };
        using var g = new StyleGenerator(config, new Generator(1));
        AssertSameKeysAndShapes(manifest, g);
    }

    [Fact]
    public void InferenceFromANonGeneratorStateDictListsTheFileKeys()
    {
        var shapes = new Dictionary<string, long[]> { ["encoder.0.weight"] = [8, 3, 3, 3], ["encoder.0.bias"] = [8] };
        var e = Assert.Throws<StyleGanException>(() => GeneratorConfigInference.Infer(shapes, "other.pt"));
        Assert.Contains("other.pt", e.Message);
        Assert.Contains("encoder.0.weight", e.Message);
    }

    [Fact]
    public void InferenceRecoversAnArbitraryArchitecture()
    {
        var config = new GeneratorConfig
        {
            Size = 64, StyleDim = 24, MappingLayers = 3,
            Channels = new Dictionary<int, int> { [4] = 40, [8] = 32, [16] = 24, [32] = 16, [64] = 8 },
        };
        using var g = new StyleGenerator(config, new Generator(3));
        var inferred = GeneratorConfigInference.Infer(g.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape), "mem");
        Assert.Equal((config.Size, config.StyleDim, config.MappingLayers), (inferred.Size, inferred.StyleDim, inferred.MappingLayers));
        Assert.Equal(config.Channels.OrderBy(kv => kv.Key), inferred.Channels.OrderBy(kv => kv.Key));
    }
}
