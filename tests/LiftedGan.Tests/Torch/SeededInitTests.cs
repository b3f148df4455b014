using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Tests.Lifting;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Torch;

/// <summary>
/// Runs alone: the reference path seeds libtorch's global generator, which tests running beside it would draw from.
/// </summary>
[CollectionDefinition(nameof(SeededInitTests), DisableParallelization = true)]
[Collection(nameof(SeededInitTests))]
public class SeededInitTests
{
    static void AssertSameParameters(torch.nn.Module expected, torch.nn.Module actual)
    {
        var a = expected.named_parameters().ToList();
        var b = actual.named_parameters().ToList();
        Assert.Equal(a.Select(p => p.name), b.Select(p => p.name));
        foreach (var ((name, x), (_, y)) in a.Zip(b)) Assert.True(x.equal(y).all().item<bool>(), $"{name} differs: max {(x - y).abs().max().item<float>()} of {x.abs().max().item<float>()}, count {x.ne(y).sum().item<long>()} of {x.numel()}");
    }

    [Fact]
    public void LiftedNetworksEqualConstructionAfterGlobalSeeding()
    {
        // The shipped lifts were initialised by torch.manual_seed(seed) and construction; the explicit generator must
        // give the same weights bit for bit so their documented commands still reproduce them.
        var c = LiftingTrainerTests.Tiny with { Seed = 11 };
        using var model = new LiftedGenerator(LiftingTrainerTests.TinyTeacher(), c);
        torch.manual_seed(11);
        using var depth = new DepthDecoder(c.StyleDim, c.DepthSeedDim, model.Teacher.Config.ChannelsAt(c.ImageSize), c.ImageSize, c.DecoderBaseChannels);
        using var trans = new TransformationMapDecoder(c.StyleDim, 16, c.ImageSize, c.DecoderBaseChannels);
        using var decomposer = new StyleDecomposer(c.StyleDim, c.MlpHidden);
        using var composer = new StyleComposer(c.StyleDim, c.MlpHidden);
        AssertSameParameters(depth, model.DepthDecoder);
        AssertSameParameters(trans, model.TransformationDecoder);
        AssertSameParameters(decomposer, model.Decomposer);
        AssertSameParameters(composer, model.Composer);
    }

    [Fact]
    public void EstimatorAndIdentityNetworksEqualConstructionAfterGlobalSeeding()
    {
        torch.manual_seed(5);
        using var estimator = new PoseDepthEstimator(32, 8);
        using var identity = new IdentityEmbeddingNetwork(32, 8, 16);
        using var seeded = new torch.Generator(5);
        AssertSameParameters(estimator, SeededInit.Apply(new PoseDepthEstimator(32, 8), seeded));
        AssertSameParameters(identity, SeededInit.Apply(new IdentityEmbeddingNetwork(32, 8, 16), seeded));
    }

    [Fact]
    public void DrawsAreIndependentOfTheGlobalGeneratorAndFollowTheSeed()
    {
        torch.manual_seed(1);
        using var a = SeededInit.Apply(torch.nn.Linear(64, 32), 7);
        torch.manual_seed(2);
        using var b = SeededInit.Apply(torch.nn.Linear(64, 32), 7);
        using var other = SeededInit.Apply(torch.nn.Linear(64, 32), 8);
        AssertSameParameters(a, b);
        Assert.False(a.weight!.equal(other.weight!).all().item<bool>());
        // libtorch's default: U(−1/√fan_in, 1/√fan_in) for weight and bias, i.e. std 1/√(3·fan_in).
        Assert.True(a.weight!.abs().max().item<float>() <= 1 / Math.Sqrt(64));
        using var big = SeededInit.Apply(torch.nn.Conv2d(16, 256, 3), 3);
        double std = big.weight!.std().item<float>();
        Assert.InRange(std, 0.95 / Math.Sqrt(3 * 144), 1.05 / Math.Sqrt(3 * 144));
    }
}
