using LiftedGan.Lifting;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The training step folds the official second backward pass (perturbation part (a), reaching only the composer) into
/// the first and runs VGG16 once on G(w') for both parts: the losses and every gradient equal those of the official
/// two-pass order (<see cref="LiftingTrainer.SeparatePasses"/>), with the view read from the style or from the image.
/// </summary>
public class LiftingStepFusionTests
{
    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 1.0)]
    [InlineData(false, 0.0)]
    public void FoldedStepHasTheTwoPassLossesAndGradients(bool viewFromImage, double perceptualWeight)
    {
        var config = LiftingTrainerTests.Tiny with { ViewFromImage = viewFromImage, PerceptualWeight = perceptualWeight };
        using var folded = LiftingTrainerTests.TinyTrainer(config);
        using var reference = LiftingTrainerTests.TinyTrainer(config);
        reference.SeparatePasses = true;
        // One step: from the second on, Adam's first update (about lr·sign(g)) turns float rounding in near-zero
        // gradients into different weights, so only the first step's gradients are comparable this tightly.
        for (int step = 0; step < 1; step++)
        {
            var a = folded.Step();
            var b = reference.Step();
            Assert.Equal(b.Keys.OrderBy(k => k), a.Keys.OrderBy(k => k));
            foreach (var (name, value) in b)
                Assert.True(Math.Abs(a[name] - value) <= 1e-5 * Math.Max(1, Math.Abs(value)), $"step {step}: {name} {a[name]} vs {value}");
            Assert.True(b["perturb_image_a"] > 0, "part (a) must be a real term");

            var pa = folded.Model.TrainableParameters().ToList();
            var pb = reference.Model.TrainableParameters().ToList();
            Assert.Equal(pb.Count, pa.Count);
            double composerGradient = 0;
            for (int i = 0; i < pa.Count; i++)
            {
                using var ga = pa[i].grad is { } x ? x.detach().clone() : zeros_like(pa[i]);
                using var gb = pb[i].grad is { } y ? y.detach().clone() : zeros_like(pb[i]);
                double scale = gb.abs().max().item<float>();
                double diff = (ga - gb).abs().max().item<float>();
                Assert.True(diff <= 2e-4 * scale + 1e-8, $"step {step}, parameter {i}: gradient differs by {diff:G3} (scale {scale:G3})");
            }
            foreach (var p in folded.Model.Composer.parameters())
                if (p.grad is { } grad) composerGradient += grad.abs().sum().item<float>();
            Assert.True(composerGradient > 0, "the composer must receive gradients");
        }
    }
}

/// <summary>
/// The step's lap timer (<see cref="LiftingTrainer.Profile"/>, `bench lift`'s stage table) sees every stage in order,
/// once per step, and changes nothing the step computes.
/// </summary>
public class LiftingStepProfileTests
{
    [Fact]
    public void ProfiledStepsHaveEveryStageAndTheSameLosses()
    {
        var config = LiftingTrainerTests.Tiny;
        using var profiled = LiftingTrainerTests.TinyTrainer(config);
        using var plain = LiftingTrainerTests.TinyTrainer(config);
        profiled.Profile = new LiftedGan.Training.StepProfile();
        for (int step = 0; step < 2; step++)
        {
            var a = profiled.Step();
            var b = plain.Step();
            foreach (var (name, value) in b) Assert.Equal(value, a[name]);
        }
        var profile = profiled.Profile;
        Assert.Equal(2, profile.Steps);
        Assert.Equal(
            ["teacher sample (map, G no grad)", "estimate (nets, G(canonical), maps)", "main and flipped renders", "reconstruction (VGG16, L1)",
             "perturbation (G(w'), renders, VGG16)", "other terms, loss sum", "backward (one pass)", "optimiser (checks, Adam)"],
            profile.Parts.Select(p => p.Name));
        Assert.All(profile.Parts, p => Assert.Equal(2, p.Laps));
        double covered = profile.Parts.Sum(p => p.TotalMilliseconds);
        Assert.True(covered > 0 && covered <= profile.TotalMilliseconds, $"stages {covered} ms of {profile.TotalMilliseconds} ms");
    }
}
