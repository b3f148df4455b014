using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests;

public class NativeLoadTests
{
    [Fact]
    public void TorchLoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new[] { 5f, 14f, 14f, 50f }, b.data<float>().ToArray());
    }
}
