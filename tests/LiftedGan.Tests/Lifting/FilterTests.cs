using LiftedGan.IO;
using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class FilterTests
{
    [Fact]
    public void BlurKernelHasTheSpecifiedValues()
    {
        using var blur = new GaussianBlur(10, 4);
        var k = blur.Kernel;
        Assert.Equal(new long[] { 1, 1, 21, 21 }, k.shape);
        // Check values from the specification (size 10, sigma 4): 2-D centre and corner.
        Assert.Equal(0.00566594, k[0, 0, 10, 10].item<float>(), 7);
        Assert.Equal(0.000248944, k[0, 0, 0, 0].item<float>(), 8);
        Assert.Equal(1.0, k.sum().item<float>(), 5);
    }

    [SkippableFact]
    public void BlurAndLaplacianMatchTheFixtures()
    {
        using var blur = new GaussianBlur(10, 4);
        using var kernel = Npy.Load(Shared.Fixture("liftedgan_nets/blur_kernel.npy"));
        Assert.True((blur.Kernel - kernel).abs().max().item<float>() < 1e-8);
        using var x = Npy.Load(Shared.Fixture("liftedgan_nets/blur_x.npy"));
        using var expected = Npy.Load(Shared.Fixture("liftedgan_nets/blur_out.npy"));
        using var y = blur.forward(x);
        Assert.True((y - expected).abs().max().item<float>() < 1e-5);

        using var lx = Npy.Load(Shared.Fixture("liftedgan_nets/laplacian_x.npy"));
        using var lexp = Npy.Load(Shared.Fixture("liftedgan_nets/laplacian_out.npy"));
        using var ly = Laplacian.Apply(lx);
        Assert.True((ly - lexp).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void BlurRejectsInputsSmallerThanItsPadding()
    {
        using var blur = new GaussianBlur(10, 4);
        using var x = torch.zeros(1, 1, 8, 8);
        Assert.Throws<ArgumentException>(() => blur.forward(x));
    }

    [Fact]
    public void ContourClipKeepsInteriorGradientsAndZeroesTheRim()
    {
        // Gradient non-zero on a 4x4 square inside a 8x8 map: only its 2x2 interior keeps the gradient.
        using var x = torch.zeros(1, 8, 8, requires_grad: true);
        using var weights = torch.zeros(1, 8, 8);
        weights[0, 2..6, 2..6] = 1.5f;
        using var y = ContourGradientClip.Apply(x);
        Assert.True(y.eq(x).all().item<bool>());
        using var loss = (y * weights).sum();
        loss.backward();
        var g = x.grad!;
        Assert.Equal(4 * 1.5f, g.sum().item<float>(), 5);
        Assert.Equal(1.5f, g[0, 3, 3].item<float>());
        Assert.Equal(0f, g[0, 2, 3].item<float>());
        Assert.Equal(0f, g[0, 5, 5].item<float>());
    }

    [Fact]
    public void ContourClipKeepsAFullMapWithReflectedBorders()
    {
        using var x = torch.zeros(2, 5, 6, requires_grad: true);
        using var loss = ContourGradientClip.Apply(x).sum();
        loss.backward();
        Assert.True(x.grad!.eq(1).all().item<bool>());
    }
}
