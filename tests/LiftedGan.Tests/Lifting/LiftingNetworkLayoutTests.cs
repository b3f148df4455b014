using LiftedGan.Imaging;
using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class LiftingNetworkLayoutTests
{
    // Parameter counts stated in the official-code specification (full size) and the fixture README (style 64).
    [Fact]
    public void FullSizeParameterCountsMatchTheOfficialNetworks()
    {
        using var depth = new DepthDecoder();
        using var trans = new TransformationMapDecoder();
        using var decomposer = new StyleDecomposer();
        using var composer = new StyleComposer();
        Assert.Equal(11_194_769, Manifest.ParameterCount(depth));
        Assert.Equal(2_937_296, Manifest.ParameterCount(trans));
        Assert.Equal(2_634_762, Manifest.ParameterCount(decomposer));
        Assert.Equal(3_698_688, Manifest.ParameterCount(composer));
    }

    [SkippableFact]
    public void FullSizeKeysMatchTheOfficialManifests()
    {
        using var depth = new DepthDecoder();
        using var trans = new TransformationMapDecoder();
        using var decomposer = new StyleDecomposer();
        using var composer = new StyleComposer();
        Manifest.AssertMatches(depth, Manifest.Read(Shared.Fixture("manifests/liftedgan_netD_full.json")));
        Manifest.AssertMatches(trans, Manifest.Read(Shared.Fixture("manifests/liftedgan_netT_full.json")));
        Manifest.AssertMatches(decomposer, Manifest.Read(Shared.Fixture("manifests/liftedgan_netSD_full.json")));
        Manifest.AssertMatches(composer, Manifest.Read(Shared.Fixture("manifests/liftedgan_netSC_full.json")));
    }

    [SkippableFact]
    public void ReducedFixtureNetworksMatchTheirManifest()
    {
        var path = Shared.Fixture("liftedgan_nets/checkpoint_003_manifest.json");
        using var depth = new DepthDecoder(styleDim: 64, seedDim: 64);
        using var trans = new TransformationMapDecoder(styleDim: 64);
        using var decomposer = new StyleDecomposer(styleDim: 64);
        using var composer = new StyleComposer(styleDim: 64);
        Manifest.AssertMatches(depth, Manifest.Read(path, "netD"));
        Manifest.AssertMatches(trans, Manifest.Read(path, "netT"));
        Manifest.AssertMatches(decomposer, Manifest.Read(path, "netSD"));
        Manifest.AssertMatches(composer, Manifest.Read(path, "netSC"));
        Assert.Equal(6_490_769, Manifest.ParameterCount(depth));
        Assert.Equal(2_930_128, Manifest.ParameterCount(trans));
        Assert.Equal(1_716_810, Manifest.ParameterCount(decomposer));
        Assert.Equal(2_317_952, Manifest.ParameterCount(composer));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void SmallDecodersProduceTheirOutputSize(int size)
    {
        using var depth = new DepthDecoder(styleDim: 32, seedDim: 32, featureChannels: 16, outputSize: size, baseChannels: 16);
        using var trans = new TransformationMapDecoder(styleDim: 32, outputSize: size);
        using var w = torch.randn(2, 32, generator: new torch.Generator(1));
        using var f = torch.randn(2, 16, size, size, generator: new torch.Generator(2));
        using var d = depth.forward(w, f);
        using var t = trans.forward(w);
        Assert.Equal(new long[] { 2, 1, size, size }, d.shape);
        Assert.Equal(new long[] { 2, 1, size, size }, t.shape);
        Assert.Throws<ArgumentException>(() => new DepthDecoder(outputSize: 100));
    }
}
