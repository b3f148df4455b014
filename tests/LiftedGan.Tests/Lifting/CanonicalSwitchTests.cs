using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The two non-official switches aimed at the canonical image and the light: the composer working in the teacher's
/// latent space (<see cref="LiftingConfig.ComposerInLatent"/>) and the light held neutral at the start of a run
/// (<see cref="LiftingConfig.LightWarmupSteps"/>). Both are off by default.
/// </summary>
public class CanonicalSwitchTests
{
    static LiftingConfig Unsupervised => IdentityPathTests.NoTerms with { Truncation = 1 };

    [Fact]
    public void LatentComposerMapsItsOutputThroughTheTeachersMappingNetwork()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var latent = new LiftedGenerator(teacher, Unsupervised with { ComposerInLatent = true });
        using var official = new LiftedGenerator(teacher, Unsupervised);
        using var _ = no_grad();
        var w = teacher.Map(randn([3, 64], generator: new Generator(5)));
        var light = rand([3, 4], generator: new Generator(6)) * 2 - 1;
        var view = (rand([3, 6], generator: new Generator(7)) - 0.5) * 0.5;
        Assert.True(allclose(latent.Compose(w, light, view), teacher.Map(latent.Composer.forward(w, light, view)), 1e-6, 1e-6),
            "the composed style must be map(M(w, L, V))");
        Assert.True(allclose(official.Compose(w, light, view), official.Composer.forward(w, light, view), 0, 0),
            "by default the composer's output is the style itself");
        // The neutral style of the estimate goes the same way.
        using var est = latent.Estimate(w);
        var neutralLight = cat(new[] { est.Light[.., ..2], zeros_like(est.Light[.., 2..]) }, 1);
        Assert.True(allclose(est.NeutralStyle, latent.Compose(w, neutralLight, zeros_like(est.View)), 1e-6, 1e-6));
    }

    [Fact]
    public void LatentComposerNeedsTruncationOneAndNoResidual()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        Assert.Throws<ArgumentException>(() => new LiftedGenerator(teacher, Unsupervised with { ComposerInLatent = true, Truncation = 0.7 }));
        Assert.Throws<ArgumentException>(() => new LiftedGenerator(teacher, Unsupervised with { ComposerInLatent = true, ResidualComposer = true }));
    }

    [Fact]
    public void LatentComposerTrainsThroughTheFrozenMapping()
    {
        using var setup = new IdentityPathTests.Setup(Unsupervised with { ComposerInLatent = true, StylePriorWeight = 0.05 });
        var first = setup.Trainer.Step();
        Assert.True(IdentityPathTests.HasGradient(setup.Model.Composer), "the style prior of map(M(...)) must reach the composer");
        Assert.All(setup.Model.Teacher.parameters(), p => Assert.Null(p.grad));
        double last = first["style_prior"];
        for (int i = 0; i < 10; i++) last = setup.Trainer.Step()["style_prior"];
        Assert.True(double.IsFinite(last) && last < first["style_prior"], $"the prior must fall ({first["style_prior"]:F4} -> {last:F4})");
    }

    /// <summary>The light head's parameters (official keys model_light.*).</summary>
    static IEnumerable<TorchSharp.Modules.Parameter> LightHead(LiftedGenerator model) => model.Decomposer.named_parameters()
        .Where(p => p.name.StartsWith("model_light", StringComparison.Ordinal)).Select(p => p.parameter);

    /// <summary>Whether the light head got a non-zero gradient.</summary>
    static bool LightHeadHasGradient(LiftedGenerator model) => LightHead(model).Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0);

    [Fact]
    public void HeldLightIsNeutralAndTheHeadRunsAgainAfterwards()
    {
        using var d = new StyleDecomposer(styleDim: 16, hidden: 16);
        var w = randn([5, 16], generator: new Generator(1));
        using var _ = no_grad();
        d.HoldLight = true;
        var (held, viewHeld) = d.forward(w);
        Assert.Equal(0.0, held.abs().max().item<float>(), 9);
        d.HoldLight = false;
        var (free, viewFree) = d.forward(w);
        Assert.True(free.abs().max().item<float>() > 1e-4, "the head's own output must come back");
        Assert.True(allclose(viewHeld, viewFree, 0, 0), "holding the light leaves the view alone");
    }

    [Fact]
    public void LightWarmupKeepsTheLightHeadUntrainedForItsSteps()
    {
        // Reconstruction renders with the predicted light, so it trains the light head unless the light is held.
        using var setup = new IdentityPathTests.Setup(Unsupervised with { ReconstructionWeight = 5, LightWarmupSteps = 2 });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var heads = LightHead(model).Select(p => p.detach().clone()).ToList();
        for (int step = 0; step < 2; step++)
        {
            trainer.Step();
            Assert.False(LightHeadHasGradient(model), $"step {step}: the held light must not train the head");
            Assert.True(IdentityPathTests.HasGradient(model.DepthDecoder), $"step {step}: the rest of the lift trains");
            Assert.False(model.Decomposer.HoldLight, "the hold must not outlive the step (sampling and evaluation see the head)");
        }
        var after = LightHead(model).ToList();
        Assert.All(heads.Zip(after), pair => Assert.True(allclose(pair.First, pair.Second, 0, 0), "the held head must not move (no decay either)"));
        trainer.Step();
        Assert.True(LightHeadHasGradient(model), "after the warm-up the light head trains");
    }

    [Fact]
    public void CanonicalSymmetryTrainsTheComposerTowardsASymmetricCanonicalImage()
    {
        using var setup = new IdentityPathTests.Setup(Unsupervised with { CanonicalSymmetryWeight = 1 });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var first = trainer.Step();
        Assert.True(first.ContainsKey("canonical_symmetry") && first["canonical_symmetry"] > 0, "the term must be reported");
        Assert.True(IdentityPathTests.HasGradient(model.Composer), "the term must train the composer");
        Assert.False(IdentityPathTests.HasGradient(model.DepthDecoder), "the canonical image does not depend on the depth");
        double last = first["canonical_symmetry"];
        for (int i = 0; i < 20; i++) last = trainer.Step()["canonical_symmetry"];
        Assert.True(last < first["canonical_symmetry"], $"the asymmetry must fall ({first["canonical_symmetry"]:F4} -> {last:F4})");
    }
}
