using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;
using static LiftedGan.Tests.StyleGan2.StyleGanFixtures;

namespace LiftedGan.Tests.StyleGan2;

public class FirOpsTests
{
    [SkippableFact]
    public void MakeKernelMatchesFixture()
    {
        using var k = Fir.MakeKernel([1, 3, 3, 1]);
        using var expected = Load("op_make_kernel_1331.npy");
        AssertClose(expected, k, "make_kernel", 1e-7);
    }

    [SkippableTheory]
    [InlineData("op_upfirdn2d_upsample_up2_pad2_1.npy", 2, 1, 2, 1, 4.0, false)]
    [InlineData("op_upfirdn2d_blur_pad1_1_k4.npy", 1, 1, 1, 1, 4.0, false)]
    [InlineData("op_upfirdn2d_downsample_down2_pad1_1.npy", 1, 2, 1, 1, 1.0, false)]
    [InlineData("op_upfirdn2d_blur_down_pad2_2.npy", 1, 1, 2, 2, 1.0, false)]
    [InlineData("op_upfirdn2d_negative_pad_m1_m1.npy", 1, 1, -1, -1, 1.0, false)]
    [InlineData("op_upfirdn2d_up2_down2_pad1_2.npy", 2, 2, 1, 2, 4.0, false)]
    [InlineData("op_upfirdn2d_asym_kernel_up2_pad1_2.npy", 2, 1, 1, 2, 1.0, true)]
    public void Upfirdn2dMatchesFixture(string file, int up, int down, int pad0, int pad1, double gain, bool asymmetric)
    {
        using var scope = NewDisposeScope();
        var x = Load("op_upfirdn2d_x.npy");
        var kernel = asymmetric ? Load("op_upfirdn2d_kernel_asym.npy") : Fir.MakeKernel([1, 3, 3, 1]) * gain;
        var y = Fir.Upfirdn2d(x, kernel, up, down, pad0, pad1);
        AssertClose(Load(file), y, file, 1e-5);
    }

    [SkippableFact]
    public void FusedLeakyReluMatchesFixture4dAnd2d()
    {
        using var scope = NewDisposeScope();
        var bias = Load("op_fused_lrelu_bias.npy");
        AssertClose(Load("op_fused_lrelu_out.npy"), FusedLeakyRelu.Apply(Load("op_fused_lrelu_x.npy"), bias), "fused_lrelu 4-D", 1e-6);
        AssertClose(Load("op_fused_lrelu_out2d.npy"), FusedLeakyRelu.Apply(Load("op_fused_lrelu_x2d.npy"), bias), "fused_lrelu 2-D", 1e-6);
    }

    [Fact]
    public void UpsampleDoublesSizeAndPreservesConstantImage()
    {
        using var scope = NewDisposeScope();
        using var up = FirResample.Upsample([1, 3, 3, 1]);
        var y = up.forward(ones(1, 2, 6, 6));
        Assert.Equal(new long[] { 1, 2, 12, 12 }, y.shape);
        // Away from the zero-padded border, a constant image stays constant (the ×4 gain undoes the zero insertion).
        var inner = y.narrow(2, 2, 8).narrow(3, 2, 8);
        Assert.True((inner - 1).abs().max().item<float>() < 1e-6f);
    }
}
