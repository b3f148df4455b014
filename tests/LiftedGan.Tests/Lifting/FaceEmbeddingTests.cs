using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class FaceEmbeddingTests
{
    [SkippableFact]
    public void LResNetKeysMatchTheOfficialManifest()
    {
        using var net = new LResNetFaceEmbedding();
        Manifest.AssertMatches(net, Manifest.Read(Shared.Fixture("manifests/face_embedding_lresnet18_128.json")));
        Assert.Equal(27_954_880, Manifest.ParameterCount(net));
    }

    [Fact]
    public void EmbeddingsAreUnitVectorsFor256PxInput()
    {
        using var net = new LResNetFaceEmbedding();
        using var x = torch.randn(2, 3, 256, 256, generator: new torch.Generator(4));
        using var _ = torch.no_grad();
        using var e = net.Embed(x);
        Assert.Equal(new long[] { 2, 512 }, e.shape);
        using var norms = e.norm(1);
        Assert.True((norms - 1).abs().max().item<float>() < 1e-5);
        using var bad = torch.zeros(1, 3, 64, 64);
        Assert.Throws<ArgumentException>(() => net.Embed(bad));
    }
}
