using LiftedGan.Checkpoints;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The official estimate() on the reduced nets (style 64) with the 256 px chain generator (fixtures/liftedgan_nets):
/// canonical depth, albedo, light, view, neutral style, transformation map and canonical image.
/// </summary>
public class LiftedGeneratorParityTests
{
    static torch.Tensor Fx(string name) => Npy.Load(Shared.Fixture($"liftedgan_nets/{name}.npy"));

    static void AssertClose(string name, torch.Tensor actual, double atol = 1e-4, double rtol = 1e-4)
    {
        using var expected = Fx(name);
        Assert.Equal(expected.shape, actual.shape);
        using var excess = (actual - expected).abs() - (atol + rtol * expected.abs());
        Assert.True(excess.max().item<float>() <= 0, $"{name}: max abs error {(actual - expected).abs().max().item<float>()}");
    }

    [SkippableFact]
    public void EstimateMatchesTheOfficialOutputs()
    {
        var teacher = StyleGanCheckpoint.LoadGenerator(Shared.Fixture("liftedgan_nets/g_chain256_zip.pt"));
        var config = LiftingConfig.Ffhq256 with { StyleDim = 64, DepthSeedDim = 64 };
        using var model = new LiftedGenerator(teacher, config);
        var root = LiftedCheckpoint.LoadNetworks(model, Shared.Fixture("liftedgan_nets/checkpoint_003.pth"));
        Assert.Equal(12345L, root["global_step"]);
        TorchCheckpoint.DisposeTensors(root);

        using var _ = torch.no_grad();
        using var z = Fx("z");
        using var w = teacher.Map(z);
        AssertClose("w", w, 1e-5, 1e-5);
        using var style = Fx("input_style");
        using var est = model.Estimate(style);
        AssertClose("estimate_canon_light", est.Light);
        AssertClose("estimate_view", est.View);
        AssertClose("estimate_neutral_style", est.NeutralStyle);
        AssertClose("estimate_canon_im_raw", est.CanonicalImage);
        AssertClose("estimate_canon_depth", est.Depth);
        AssertClose("estimate_trans_map", est.TransformationMap);
        AssertClose("estimate_canon_albedo", est.Albedo, atol: 1e-3);
    }
}
