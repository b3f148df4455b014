using LiftedGan.Lifting;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// A constant target's VGG16 features computed once without a graph give the official joint computation's loss and
/// gradient (the distance is symmetric, so the constant may be either argument), under every distance and a mask.
/// </summary>
public class PerceptualTargetTests
{
    [Theory]
    [InlineData(PerceptualDistance.Cosine, 2)]
    [InlineData(PerceptualDistance.L1, 1)]
    [InlineData(PerceptualDistance.L2, 2)]
    public void PrecomputedTargetFeaturesMatchTheJointComputation(PerceptualDistance distance, int scales)
    {
        using var scope = NewDisposeScope();
        using var loss = new PerceptualLoss(Vgg16Features.RandomFeatures(3), distance, scales, new[] { 1, 2 });
        var g = new Generator(5);
        var target = rand(new long[] { 3, 3, 32, 32 }, generator: g) * 2 - 1;
        var mask = rand(new long[] { 3, 1, 32, 32 }, generator: g).gt(0.3).to(ScalarType.Float32);
        var start = rand(new long[] { 3, 3, 32, 32 }, generator: g) * 2 - 1;

        // Reference: both sides through VGG16 together (the target made to need a gradient forces the joint path).
        var a1 = start.clone().requires_grad_(true);
        var joint = loss.Compute(a1, target.clone().requires_grad_(true), mask);
        joint.backward();

        var a2 = start.clone().requires_grad_(true);
        var split = loss.Compute(a2, target, mask);
        split.backward();

        var a3 = start.clone().requires_grad_(true);
        using var features = loss.Features(target);
        var shared = loss.Compute(a3, features, mask) + loss.Compute(target, a3, mask);
        shared.backward();

        Assert.Equal(joint.item<float>(), split.item<float>(), 1e-5f * Math.Max(1, Math.Abs(joint.item<float>())));
        Assert.Equal(2 * joint.item<float>(), shared.item<float>(), 2e-5f * Math.Max(1, Math.Abs(joint.item<float>())));
        double scale = a1.grad!.abs().max().item<float>();
        Assert.True(scale > 0, "the reference gradient is zero");
        Assert.True((a1.grad - a2.grad!).abs().max().item<float>() <= 1e-4 * scale, "split gradient differs");
        Assert.True((2 * a1.grad - a3.grad!).abs().max().item<float>() <= 2e-4 * scale, "shared-target gradient differs");
        Assert.False(features.Maps.Any(m => m.requires_grad), "target features must be constants");
    }
}
