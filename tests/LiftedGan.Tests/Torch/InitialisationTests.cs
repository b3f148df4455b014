using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Torch;

/// <summary>
/// Every parameter and buffer of every network is initialised: built with junk-filled allocations (an uninitialised
/// value reads as NaN), none may hold a non-finite value. TorchSharp 0.107's nn.GroupNorm leaves its affine weight and
/// bias as torch.empty: the canary below documents that, and the library's networks must not use it.
/// </summary>
[Collection(nameof(ConvGuardTests))]
public class InitialisationTests
{
    static void AssertInitialised(string name, nn.Module module)
    {
        foreach (var (key, p) in module.named_parameters())
            Assert.True(p.isfinite().all().item<bool>(), $"{name}.{key} holds uninitialised values");
        foreach (var (key, b) in module.named_buffers())
            if (b.is_floating_point()) Assert.True(b.isfinite().all().item<bool>(), $"{name}.{key} (buffer) holds uninitialised values");
    }

    static T Built<T>(Func<T> make)
    {
        ConvGuard.EnsureInitialized();
        bool before = LibTorchFlags.JunkFill;
        LibTorchFlags.JunkFill = true;
        try { return make(); }
        finally { LibTorchFlags.JunkFill = before; }
    }

    [Fact]
    public void EveryNetworkIsFullyInitialised()
    {
        var table = new Dictionary<int, int> { [4] = 32, [8] = 32, [16] = 16, [32] = 16, [64] = 16 };
        var modules = new (string, Func<nn.Module>)[]
        {
            ("StyleGenerator", () => new StyleGenerator(new GeneratorConfig { Size = 64, StyleDim = 64, MappingLayers = 2, Channels = table }, new Generator(1))),
            ("StyleDiscriminator", () => new StyleDiscriminator(new DiscriminatorConfig { Size = 64, Channels = table }, new Generator(1))),
            ("DepthDecoder", () => new DepthDecoder(64, 64, 16, 64, 16)),
            ("TransformationMapDecoder", () => new TransformationMapDecoder(64, 16, 64, 16)),
            ("StyleDecomposer", () => new StyleDecomposer(64, 64)),
            ("StyleComposer", () => new StyleComposer(64, 64)),
            ("PoseDepthEstimator", () => new PoseDepthEstimator(64, 8)),
            ("IdentityEmbeddingNetwork", () => new IdentityEmbeddingNetwork(32, 8, 32)),
            ("Vgg16Features", () => Vgg16Features.RandomFeatures(1)),
        };
        foreach (var (name, make) in modules)
        {
            using var module = Built(make);
            AssertInitialised(name, module);
        }
    }

    [Fact]
    public void TorchSharpGroupNormLeavesItsAffineParametersUninitialised()
    {
        // Upstream defect (TorchSharp 0.107 GroupNorm: Parameter(torch.empty(C)) without reset). If this starts failing,
        // TorchSharp fixed it; FeatureGroupNorm (ones / zeros) stays the library's group norm either way.
        using var gn = Built(() => nn.GroupNorm(8, 32));
        Assert.Contains(gn.named_parameters(), p => !p.parameter.isfinite().all().item<bool>());
        using var ours = Built(() => new FeatureGroupNorm(8, 32));
        AssertInitialised("FeatureGroupNorm", ours);
    }
}
