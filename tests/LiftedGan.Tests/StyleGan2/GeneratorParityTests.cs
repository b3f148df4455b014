using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;
using static LiftedGan.Tests.StyleGan2.StyleGanFixtures;

namespace LiftedGan.Tests.StyleGan2;

/// <summary>The small official generator (fixtures/stylegan2) loaded from its checkpoints reproduces every stored output.</summary>
public class GeneratorParityTests
{
    static StyleGenerator LoadSmall(string file = "g_small_zip.pt") => StyleGanCheckpoint.LoadGenerator(Shared.Fixture($"stylegan2/{file}"));

    [SkippableTheory]
    [InlineData("g_small_zip.pt")]
    [InlineData("g_small_legacy.pt")]
    public void BothCheckpointFormatsReproduceWAndImage(string file)
    {
        using var scope = NewDisposeScope();
        using var g = LoadSmall(file);
        Assert.Equal(32, g.Config.Size);
        Assert.Equal(64, g.Config.StyleDim);
        Assert.Equal(2, g.Config.MappingLayers);
        using var _ = no_grad();
        var w = g.Map(Load("z.npy"));
        AssertClose(Load("w.npy"), w, "w");
        var image = g.Generate([Load("w.npy")], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false });
        AssertClose(Load("image.npy"), image.Image, "image");
        AssertClose(Load("feat.npy"), image.Feat, "feat");
        var fromZ = g.Generate([Load("z.npy")], new GenerateOptions { RandomizeNoise = false });
        AssertClose(Load("image_from_z.npy"), fromZ.Image, "image_from_z");
    }

    [SkippableFact]
    public void TruncationMixingWPlusAndExplicitNoiseMatch()
    {
        using var scope = NewDisposeScope();
        using var g = LoadSmall();
        using var _ = no_grad();
        var w = Load("w.npy");
        var w2 = Load("w2.npy");
        var mean = g.Map(Load("z_mean_batch.npy")).mean([0], keepdim: true);
        AssertClose(Load("w_mean.npy"), mean, "w_mean");
        var sigmaInv = 0.5 / g.Map(Load("z_mean_batch.npy")).std(0).mean().square();
        AssertClose(Load("w_sigma_inv.npy"), sigmaInv.reshape(1), "w_sigma_inv");

        var trunc = new GenerateOptions { InputIsLatent = true, RandomizeNoise = false, Truncation = 0.7, TruncationLatent = mean };
        var t = g.Generate([w], trunc);
        AssertClose(Load("image_trunc07.npy"), t.Image, "image_trunc07");
        AssertClose(Load("trunc07_return_style_styles0.npy"), t.Styles[0], "styles[0]");
        AssertClose(Load("trunc07_return_style_feat.npy"), t.Feat, "trunc feat");

        var mix = g.Generate([w, w2], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false, InjectIndex = 3 });
        AssertClose(Load("image_mix_inject3.npy"), mix.Image, "image_mix_inject3");
        var mixTrunc = g.Generate([w, w2], trunc with { InjectIndex = 3 });
        AssertClose(Load("image_mix_inject3_trunc07.npy"), mixTrunc.Image, "image_mix_inject3_trunc07");

        var wplus = g.Generate([Load("wplus.npy")], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false });
        AssertClose(Load("image_wplus.npy"), wplus.Image, "image_wplus");

        var noise = Enumerable.Range(0, 7).Select(i => Load($"explicit_noise_{i}.npy")).ToList();
        var explicitNoise = g.Generate([w], new GenerateOptions { InputIsLatent = true, Noise = noise });
        AssertClose(Load("image_explicit_noise.npy"), explicitNoise.Image, "image_explicit_noise");

        var styles = 0.7 * w + 0.3 * mean;
        AssertClose(Load("liftedgan_styles.npy"), styles, "liftedgan_styles");
        var lifted = g.Generate([styles], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1);
        AssertClose(Load("liftedgan_input_im.npy"), lifted, "liftedgan_input_im");
    }

    [SkippableFact]
    public void IntermediateLayerOutputsMatchHooks()
    {
        using var scope = NewDisposeScope();
        using var g = LoadSmall();
        using var _ = no_grad();
        var seen = new Dictionary<string, Tensor>();
        g.Generate([Load("w.npy")], new GenerateOptions
        {
            InputIsLatent = true, RandomizeNoise = false, Observe = (name, t) => seen[name] = t.clone().DetachFromDisposeScope(),
        });
        var files = Directory.GetFiles(Path.GetDirectoryName(Shared.Fixture("stylegan2/w.npy"))!, "inter_*.npy");
        Assert.Equal(26, files.Length);
        foreach (var file in files)
        {
            string stem = Path.GetFileNameWithoutExtension(file)["inter_".Length..];
            string name = stem switch
            {
                "const_input" => "input",
                "conv1_modulation" => "conv1.conv.modulation",
                "to_rgb1_modulation" => "to_rgb1.conv.modulation",
                _ when stem.EndsWith("_modulation") => stem[..^"_modulation".Length].Replace('_', '.') + ".conv.modulation",
                _ when stem.EndsWith("_modconv") => stem[..^"_modconv".Length].Replace('_', '.') + ".conv",
                _ => stem.Replace("to_rgbs_", "to_rgbs.").Replace("convs_", "convs."),
            };
            Assert.True(seen.ContainsKey(name), $"{stem}: no observed output named {name}");
            AssertClose(Load(Path.GetFileName(file)), seen[name], stem);
        }
    }

    [SkippableFact]
    public void OtherArchitectureFailsWithTheMismatchedKeys()
    {
        var config = new GeneratorConfig
        {
            Size = 32, StyleDim = 64, MappingLayers = 2,
            Channels = new Dictionary<int, int> { [4] = 32, [8] = 32, [16] = 16, [32] = 32 },
        };
        var e = Assert.Throws<StyleGanException>(() => StyleGanCheckpoint.LoadGenerator(Shared.Fixture("stylegan2/g_small_zip.pt"), config: config));
        Assert.Contains("g_small_zip.pt", e.Message);
        Assert.Contains("convs.2.conv.weight", e.Message);
        Assert.Contains("shape mismatch", e.Message);

        var bigger = config with { Size = 64, Channels = new Dictionary<int, int> { [4] = 32, [8] = 32, [16] = 32, [32] = 32, [64] = 32 } };
        var e2 = Assert.Throws<StyleGanException>(() => StyleGanCheckpoint.LoadGenerator(Shared.Fixture("stylegan2/g_small_zip.pt"), config: bigger));
        Assert.Contains("missing", e2.Message);
        Assert.Contains("noises.noise_7", e2.Message);
    }
}
