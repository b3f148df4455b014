using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The render cycle of the view (<see cref="LiftingConfig.ViewRenderCycleWeight"/>, off by default): the image view
/// encoder reads the lift's own renders at random views; it trains the encoder alone, keeps the step's other draws, and
/// with <see cref="LiftingConfig.ViewRenderCycleOnly"/> is the encoder's only teacher.
/// </summary>
public class ViewRenderCycleTests
{
    static LiftingConfig WithEncoder => IdentityPathTests.NoTerms with { Truncation = 1, ViewFromImage = true };

    [Fact]
    public void OffByDefaultAndRefusedWithoutTheImageEncoder()
    {
        var config = IdentityPathTests.NoTerms with { Truncation = 1 };
        Assert.Equal(0, config.ViewRenderCycleWeight);
        Assert.False(config.ViewRenderCycleOnly);
        Assert.Null(config.SettingsProblem());
        Assert.Contains("view_from_image", (config with { ViewRenderCycleWeight = 1 }).SettingsProblem());
        Assert.Null((config with { ViewRenderCycleWeight = 1, ViewFromImage = true }).SettingsProblem());
        Assert.Contains("lam_view_render_cycle", (WithEncoder with { ViewRenderCycleOnly = true }).SettingsProblem());
        Assert.NotNull((WithEncoder with { ViewRenderCycleRoll = 70 }).SettingsProblem());
        Assert.NotNull((WithEncoder with { ViewRenderCyclePitch = -1 }).SettingsProblem());
        Assert.Contains("view_render_cycle_repeat", (WithEncoder with { ViewRenderCycleRepeat = 0 }).SettingsProblem());
    }

    [Fact]
    public void TheTermTrainsTheEncoderAloneAndKeepsTheRestOfTheStepsDraws()
    {
        var config = WithEncoder with { ReconstructionWeight = 1, PerturbParameterWeight = 4 };
        using var plain = new IdentityPathTests.Setup(config);
        var plainLosses = plain.Trainer.Step();
        Assert.False(plainLosses.ContainsKey("view_render_cycle"));

        using var setup = new IdentityPathTests.Setup(config with { ViewRenderCycleWeight = 5 });
        var losses = setup.Trainer.Step();
        Assert.True(losses["view_render_cycle"] > 0 && double.IsFinite(losses["view_render_cycle"]));
        Assert.Equal(plainLosses["perturb_param"], losses["perturb_param"], 6);
        Assert.Equal(plainLosses["reconstruction"], losses["reconstruction"], 6);

        // Alone, it reaches the encoder and nothing else (here with three views of each face).
        using var alone = new IdentityPathTests.Setup(WithEncoder with { ViewRenderCycleWeight = 5, ViewRenderCycleRepeat = 3 });
        Assert.True(double.IsFinite(alone.Trainer.Step()["view_render_cycle"]));
        Assert.True(IdentityPathTests.HasGradient(alone.Model.ViewEncoder!));
        Assert.False(IdentityPathTests.HasGradient(alone.Model.Composer));
        Assert.False(IdentityPathTests.HasGradient(alone.Model.DepthDecoder));
        Assert.False(IdentityPathTests.HasGradient(alone.Model.TransformationDecoder));
    }

    [Fact]
    public void WithOnlyTheEncoderLearnsFromTheCycleAloneWhileTheRestLearnsFromTheOtherTerms()
    {
        var cycle = WithEncoder with { ViewRenderCycleWeight = 5 };
        using var alone = new IdentityPathTests.Setup(cycle);
        using var only = new IdentityPathTests.Setup(cycle with { ReconstructionWeight = 1, PerturbParameterWeight = 4, ViewRenderCycleOnly = true });
        using var both = new IdentityPathTests.Setup(cycle with { ReconstructionWeight = 1, PerturbParameterWeight = 4 });
        var depthBefore = only.Model.DepthDecoder.parameters().Select(p => p.detach().clone()).ToList();
        var aloneLosses = alone.Trainer.Step();
        var onlyLosses = only.Trainer.Step();
        both.Trainer.Step();
        Assert.Equal(aloneLosses["view_render_cycle"], onlyLosses["view_render_cycle"], 6);
        // The cycle is not part of the total when it trains the encoder alone.
        Assert.Equal(onlyLosses["reconstruction"] + onlyLosses["perturb_param"], onlyLosses["total"], 5);
        // The encoder took the cycle's gradient and nothing else: it moved exactly as with the cycle alone ...
        foreach (var (a, o) in alone.Model.ViewEncoder!.parameters().Zip(only.Model.ViewEncoder!.parameters()))
            Assert.True(allclose(a, o, 1e-6, 1e-7), "netVI moved by more than the render cycle");
        // ... and not as with every term.
        Assert.Contains(both.Model.ViewEncoder!.parameters().Zip(only.Model.ViewEncoder.parameters()), x => !allclose(x.First, x.Second, 1e-6, 1e-7));
        // The other networks still learn from the other terms.
        Assert.Contains(only.Model.DepthDecoder.parameters().Zip(depthBefore), x => !x.First.equal(x.Second).all().item<bool>());
    }
}
