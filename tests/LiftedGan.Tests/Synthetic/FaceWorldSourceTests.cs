using LiftedGan.Data;
using LiftedGan.Synthetic;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Synthetic;

public class FaceWorldSourceTests
{
    [Fact]
    public void StreamsDeterministicFaceBatches()
    {
        var source = new FaceWorldSource(32);
        using var a = source.Next(3, new torch.Generator(4));
        using var b = source.Next(3, new torch.Generator(4));
        using var c = source.Next(3, new torch.Generator(5));
        Assert.Equal(new long[] { 3, 3, 32, 32 }, a.shape);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
        Assert.True(a.min().item<float>() >= -1 && a.max().item<float>() <= 1);
        Assert.ThrowsAny<Exception>(() => new FaceWorldSource(48));
    }
}
