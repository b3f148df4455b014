using LiftedGan.Checkpoints;
using LiftedGan.IO;
using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

/// <summary>The reduced official networks of fixtures/liftedgan_nets (style 64) against the official outputs.</summary>
public class LiftingNetworkParityTests
{
    static torch.Tensor Fx(string name) => Npy.Load(Shared.Fixture($"liftedgan_nets/{name}.npy"));

    static void AssertClose(torch.Tensor expected, torch.Tensor actual, double atol = 1e-4, double rtol = 1e-4)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var bound = atol + rtol * expected.abs();
        using var excess = (actual - expected).abs() - bound;
        Assert.True(excess.max().item<float>() <= 0, $"max abs error {(actual - expected).abs().max().item<float>()}");
    }

    static T Load<T>(T module, string key) where T : torch.nn.Module
    {
        var dict = TorchCheckpoint.LoadStateDict(Shared.Fixture("liftedgan_nets/checkpoint_003.pth"), key);
        StateDict.Load(module, dict, strict: true);
        module.eval();
        return module;
    }

    [SkippableFact]
    public void StyleDecomposerAndComposerMatch()
    {
        using var _ = torch.no_grad();
        using var decomposer = Load(new StyleDecomposer(styleDim: 64), "netSD");
        using var composer = Load(new StyleComposer(styleDim: 64), "netSC");
        using var style = Fx("input_style");
        var (light, view) = decomposer.forward(style);
        AssertClose(Fx("netSD_light"), light);
        AssertClose(Fx("netSD_view"), view);
        AssertClose(Fx("netSD_neutral_style"), decomposer.UnusedStyle(style));
        using var composed = composer.forward(style, Fx("netSC_light_in"), Fx("netSC_view_in"));
        AssertClose(Fx("netSC_out"), composed);
    }

    [SkippableFact]
    public void DepthAndTransformationDecodersMatch()
    {
        using var _ = torch.no_grad();
        using var depth = Load(new DepthDecoder(styleDim: 64, seedDim: 64), "netD");
        using var trans = Load(new TransformationMapDecoder(styleDim: 64), "netT");
        using var style = Fx("input_style");
        using var seed = depth.Seed(style);
        AssertClose(Fx("netD_mlp_out"), seed);
        AssertClose(Fx("netD_network_stage0"), depth.NetworkPrefix(seed, 4));
        AssertClose(Fx("netD_network_stage1"), depth.NetworkPrefix(seed, 10));
        AssertClose(Fx("netD_out"), depth.forward(style, Fx("chain_feat")));
        AssertClose(Fx("netT_mlp_out"), trans.Seed(style));
        AssertClose(Fx("netT_out"), trans.forward(style));
    }

    [SkippableFact]
    public void Vgg16SlicesAndPerceptualLossesMatch()
    {
        using var _ = torch.no_grad();
        using var vgg = new Vgg16Features();
        var report = StateDict.Load(vgg, TorchCheckpoint.LoadStateDict(Shared.Fixture("torchvision/vgg16_features_0_22_zip.pth")), strict: true);
        torch.Tensor T(string n) => Npy.Load(Shared.Fixture($"torchvision/{n}.npy"));
        using var x = T("perc_x");
        using var y = T("perc_y");
        using var mask = T("perc_mask");
        using var xn = PerceptualLoss.Normalize(x);
        AssertClose(T("perc_x_normalized"), xn, 1e-5, 1e-5);
        var slices = vgg.Slices(xn);
        AssertClose(T("vgg_slice1_relu1_2"), slices[0]);
        AssertClose(T("vgg_slice2_relu2_2"), slices[1]);
        AssertClose(T("vgg_slice3_relu3_3"), slices[2]);
        AssertClose(T("vgg_slice4_relu4_3"), slices[3]);

        var cosine = new PerceptualLoss(vgg);
        AssertClose(T("perc_loss_cosine_n3_idx123"), cosine.Compute(x, y).reshape(1), 1e-6, 1e-4);
        AssertClose(T("perc_loss_cosine_n3_idx123_mask"), cosine.Compute(x, y, mask).reshape(1), 1e-6, 1e-4);
        var l1 = new PerceptualLoss(vgg, PerceptualDistance.L1, 1, new[] { 2 });
        AssertClose(T("perc_loss_l1_n1_idx2"), l1.Compute(x, y).reshape(1), 1e-6, 1e-4);
        var l2 = new PerceptualLoss(vgg, PerceptualDistance.L2, 2, new[] { 0, 2 });
        AssertClose(T("perc_loss_l2_n2_idx02_mask"), l2.Compute(x, y, mask).reshape(1), 1e-7, 1e-4);
    }
}
