using LiftedGan.IO;
using LiftedGan.StyleGan2;
using LiftedGan.Tests.StyleGan2;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Torch;

/// <summary>
/// The convolution numerics guard. These tests switch the allocator's junk fill on (every uninitialised read gives
/// NaN, on any CPU), so they run alone. Each fails when the guard is removed on CPUs whose oneDNN kernels are wrong (the
/// AMD Zen 5 VMs of 2026-12-04/05: the junk-fill ones, the odd-channel forward and StyleGAN2 parity ones); a Zen 5 VM of
/// 2026-12-06 showed none of the defects, and there they pass with the guard or without it.
/// </summary>
[CollectionDefinition(nameof(ConvGuardTests), DisableParallelization = true)]
[Collection(nameof(ConvGuardTests))]
public class ConvGuardTests
{
    /// <summary>Runs <paramref name="body"/> with junk-filled allocations, restoring the flag afterwards.</summary>
    static void WithJunkFill(Action body)
    {
        ConvGuard.EnsureInitialized();
        bool before = LibTorchFlags.JunkFill;
        LibTorchFlags.JunkFill = true;
        try { body(); }
        finally { LibTorchFlags.JunkFill = before; }
    }

    /// <summary>Forward and both gradients of the guarded call in float32 against the same call in float64.</summary>
    static void AssertMatchesFloat64(string what, Func<Tensor, Tensor, Tensor> conv, long[] xShape, long[] wShape)
    {
        using var scope = NewDisposeScope();
        using var rng = new Generator(7);
        var x64 = randn(xShape, float64, generator: rng);
        var w64 = randn(wShape, float64, generator: rng) / Math.Sqrt(wShape[1] * wShape[2] * wShape[3]);
        Tensor[] Eval(ScalarType dt)
        {
            var x = x64.to(dt).detach().requires_grad_(true);
            var w = w64.to(dt).detach().requires_grad_(true);
            var y = conv(x, w);
            y.backward([y.detach().sin()]);
            return [y.detach().to(float64), x.grad!.to(float64), w.grad!.to(float64)];
        }
        var expected = Eval(float64);
        Tensor[] got = [];
        WithJunkFill(() => got = Eval(float32));
        string[] names = ["output", "input gradient", "weight gradient"];
        for (int i = 0; i < 3; i++)
        {
            double scale = expected[i].abs().max().item<double>();
            double err = (got[i] - expected[i]).abs().max().item<double>();
            Assert.False(double.IsNaN(err), $"{what}: {names[i]} has NaN");
            Assert.True(err <= 1e-4 * scale, $"{what}: {names[i]} max abs error {err:E3} (scale {scale:G3})");
        }
    }

    [Fact]
    public void GradientsOfFewOutputChannelsHaveNoUninitialisedReads()
    {
        // The estimator's depth head and the depth decoder's last layer: 32 -> 2 and 32 -> 1, 3x3, 64 px, batch 8.
        foreach (long cout in new long[] { 1, 2, 3 })
            AssertMatchesFloat64($"conv2d 32->{cout}", (x, w) => ConvGuard.Conv2d(x, w, padding: [1, 1]), [8, 32, 64, 64], [cout, 32, 3, 3]);
    }

    [Theory]
    [InlineData(20, 32, 3, 1, 1)]
    [InlineData(24, 17, 3, 1, 1)]
    [InlineData(33, 3, 1, 1, 0)]
    [InlineData(40, 12, 3, 2, 1)]
    [InlineData(72, 48, 5, 1, 2)]
    public void OddChannelConvolutionsMatchFloat64(long cin, long cout, long k, long stride, long pad) =>
        AssertMatchesFloat64($"conv2d {cin}->{cout} k{k} s{stride}",
            (x, w) => ConvGuard.Conv2d(x, w, stride: [stride, stride], padding: [pad, pad]), [2, cin, 12, 12], [cout, cin, k, k]);

    [Theory]
    [InlineData(3, 1, 3, 2, 0)]
    [InlineData(20, 1, 4, 2, 1)]
    [InlineData(20, 12, 3, 2, 0)]
    [InlineData(40, 24, 4, 2, 1)]
    public void OddChannelTransposedConvolutionsMatchFloat64(long cin, long cout, long k, long stride, long pad) =>
        AssertMatchesFloat64($"conv_transpose2d {cin}->{cout} k{k} s{stride}",
            (x, w) => ConvGuard.ConvTranspose2d(x, w, stride: [stride, stride], padding: [pad, pad]), [2, cin, 6, 6], [cin, cout, k, k]);

    [Fact]
    public void GroupedConvolutionMatchesFloat64() =>
        AssertMatchesFloat64("conv2d 40->24 groups 2",
            (x, w) => ConvGuard.Conv2d(x, w, padding: [1, 1], groups: 2), [2, 40, 10, 10], [24, 20, 3, 3]);

    [Fact]
    public void GuardedLayersMatchFloat64()
    {
        var conv = new GuardedConv2d(20, 2, 3, padding: 1);
        var up = new GuardedConvTranspose2d(2, 1, 4, 2, 1);
        Assert.Equal(["weight", "bias"], conv.state_dict().Keys);
        Assert.Equal(["weight", "bias"], up.state_dict().Keys);
        AssertMatchesFloat64("GuardedConv2d + GuardedConvTranspose2d", (x, w) =>
        {
            // The weight argument is unused here: the layers' own parameters (cast with the input) are checked.
            conv.to(x.dtype);
            up.to(x.dtype);
            return up.forward(conv.forward(x)) + 0 * w.sum();
        }, [2, 20, 9, 9], [1, 1, 1, 1]);
    }

    [Fact]
    public void Im2colRouteIsBitwiseTheSameForATrainedWeightAndItsLoadedCopy()
    {
        // matmul's 2-D x 3-D kernel choice depends on requires_grad: a saved-and-loaded model differed in the last bit.
        using var scope = NewDisposeScope();
        var sig = new ConvSignature(false, 8, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1);
        ConvGuard.PinRoute(sig, ConvRoute.Im2col);
        var before = ConvGuard.RequestedPolicy;
        try
        {
            ConvGuard.SetPolicy(ConvPolicy.Guarded);
            using var rng = new Generator(11);
            var w = randn([2, 8, 3, 3], generator: rng).requires_grad_(true);
            var x = randn([4, 8, 16, 16], generator: rng);
            using var _ = no_grad();
            var a = ConvGuard.Conv2d(x, w, padding: [1, 1]);
            var b = ConvGuard.Conv2d(x, w.detach().clone(), padding: [1, 1]);
            Assert.True(a.eq(b).all().item<bool>(), $"max diff {(a - b).abs().max().item<float>():E3}");
        }
        finally { ConvGuard.SetPolicy(before); }
    }

    /// <summary>
    /// R1-style second-order weight gradient of a 1x1 convolution without padding (StyleGAN2's FromRGB and residual skip
    /// layers): oneDNN gets it 5-11 % wrong on every route, whatever the channel counts.
    /// </summary>
    [Theory]
    [InlineData(32, 16)]
    [InlineData(3, 32)]
    [InlineData(64, 3)]
    public void PointwiseSecondOrderWeightGradientMatchesFloat64(long cin, long cout)
    {
        using var scope = NewDisposeScope();
        using var rng = new Generator(3);
        var x64 = randn([4, cin, 9, 11], float64, generator: rng);
        var w64 = randn([cout, cin, 1, 1], float64, generator: rng) / Math.Sqrt(cin);
        Tensor SecondOrder(ScalarType dt)
        {
            var x = x64.to(dt).detach().requires_grad_(true);
            var w = w64.to(dt).detach().requires_grad_(true);
            var y = ConvGuard.Conv2d(x, w);
            var gx = autograd.grad([y.tanh().sum()], [x], retain_graph: true, create_graph: true)[0];
            return autograd.grad([gx.square().sum()], [w])[0].to(float64);
        }
        var expected = SecondOrder(float64);
        Tensor got = null!;
        WithJunkFill(() => got = SecondOrder(float32));
        double scale = expected.abs().max().item<double>();
        double err = (got - expected).abs().max().item<double>();
        Assert.True(err <= 1e-4 * scale, $"conv2d {cin}->{cout} 1x1: second-order weight gradient max abs error {err:E3} (scale {scale:G3})");
    }

    [Fact]
    public void TheSelfTestNamesEachDefectClassAndThePolicy()
    {
        var report = ConvGuard.Report;
        Assert.Contains(report, l => l.StartsWith("self-test forward, 20 input channels", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("self-test gradients, 2 output channels", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("self-test transposed", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("policy: ", StringComparison.Ordinal));
        // The policy line follows the findings: libtorch 2.10's NCHW backward with 2 output channels read uninitialised
        // memory on the Zen 5 VMs of 2026-12-04/05 (junk fill showed it), but not on a Zen 5 VM of 2026-12-06; auto
        // guards exactly when a check fails.
        bool defective = report.Any(l => l.StartsWith("self-test", StringComparison.Ordinal) && l.Contains("NCHW WRONG"));
        var policy = report.Single(l => l.StartsWith("policy: ", StringComparison.Ordinal));
        if (ConvGuard.RequestedPolicy == ConvPolicy.Auto)
            Assert.Contains(defective ? "the self-test found defective oneDNN convolutions" : "the self-test found no defect", policy);
    }

    [Fact]
    public void PolicyIsParsedStrictlyAndSwitchable()
    {
        Assert.Equal(ConvPolicy.Auto, ConvGuard.ParsePolicy("AUTO"));
        Assert.Equal(ConvPolicy.Off, ConvGuard.ParsePolicy("off"));
        Assert.Equal(ConvPolicy.On, ConvGuard.ParsePolicy(" on "));
        Assert.Equal(ConvPolicy.Guarded, ConvGuard.ParsePolicy("Guarded"));
        var e = Assert.Throws<ArgumentException>(() => ConvGuard.ParsePolicy("fast"));
        Assert.Contains("LIFTEDGAN_MKLDNN='fast'", e.Message);
        var before = ConvGuard.RequestedPolicy;
        try
        {
            ConvGuard.SetPolicy(ConvPolicy.Off);
            Assert.False(LibTorchFlags.Mkldnn);
            AssertMatchesFloat64("conv2d 20->2 with oneDNN off",
                (x, w) => ConvGuard.Conv2d(x, w, padding: [1, 1]), [2, 20, 12, 12], [2, 20, 3, 3]);
        }
        finally { ConvGuard.SetPolicy(before); }
        // Auto resolves by the self-test: guarded where an NCHW check failed (the Zen 5 VMs of 2026-12-04/05), on where none did.
        bool defective = ConvGuard.Report.Any(l => l.StartsWith("self-test", StringComparison.Ordinal) && l.Contains("NCHW WRONG"));
        ConvGuard.SetPolicy(ConvPolicy.Auto);
        try
        {
            Assert.Equal(defective ? ConvPolicy.Guarded : ConvPolicy.On, ConvGuard.Policy);
            Assert.True(LibTorchFlags.Mkldnn);
        }
        finally { ConvGuard.SetPolicy(before); }
    }

    /// <summary>
    /// The discriminator's R1 penalty (a second-order gradient through a 33-channel convolution) under junk fill: the
    /// context in which the probe policy's per-signature check once passed a route that is wrong here.
    /// </summary>
    [Fact]
    public void DiscriminatorR1PenaltyHasFiniteGradients()
    {
        using var scope = NewDisposeScope();
        var config = new DiscriminatorConfig { Size = 16, Channels = new Dictionary<int, int> { [4] = 32, [8] = 16, [16] = 16 } };
        using var d = new StyleDiscriminator(config, new Generator(1));
        WithJunkFill(() =>
        {
            var x = randn([8, 3, 16, 16], generator: new Generator(5)).requires_grad_(true);
            var grad = autograd.grad([d.forward(x).sum()], [x], create_graph: true, retain_graph: true)[0];
            grad.square().sum().backward();
        });
        // The last layer's bias does not act on the input gradient, so it gets none; every other gradient must be finite.
        foreach (var (name, p) in d.named_parameters().Where(n => n.name != "final_linear.1.bias"))
            Assert.False(p.grad is null || p.grad.isnan().any().item<bool>(), $"{name}: gradient missing or NaN");
    }

    [Fact]
    public void InfoPrintsTheSelfTestAndThePolicy()
    {
        var stdout = new StringWriter();
        int code = LiftedGan.Cli.Program.Run(["info"], stdout, new StringWriter());
        Assert.Equal(0, code);
        string text = stdout.ToString();
        Assert.Contains("convolution numerics guard", text);
        Assert.Contains("self-test forward", text);
        Assert.Contains("policy: ", text);
    }

    static string OddFixture(string file) =>
        Path.Combine(Shared.RepoRoot, "tests", "LiftedGan.Tests", "StyleGan2", "OddChannels", file);

    /// <summary>
    /// Generators in the official layout whose channel tables are not multiples of 16, against an independent float64
    /// implementation of the official generator (OddChannels/make_fixture.py, Debian's PyTorch 1.13).
    /// </summary>
    [Theory]
    [InlineData("g16_c20_12_12", 16)]
    [InlineData("g64_c48_40_24_16_8", 64)]
    public void StyleGanWithOddChannelTablesMatchesTheOfficialGenerator(string name, int size)
    {
        using var scope = NewDisposeScope();
        using var g = StyleGanCheckpoint.LoadGenerator(OddFixture(name + ".pt"));
        Assert.Equal(size, g.Config.Size);
        Tensor image = null!;
        WithJunkFill(() =>
        {
            using var _ = no_grad();
            var w = g.Map(Npy.Load(OddFixture(name + "_z.npy")));
            StyleGanFixtures.AssertClose(Npy.Load(OddFixture(name + "_w.npy")), w, name + " w", 1e-4);
            image = g.Generate([Npy.Load(OddFixture(name + "_w.npy"))],
                new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
        });
        var expected = Npy.Load(OddFixture(name + "_image.npy"));
        double scale = expected.abs().max().item<float>();
        StyleGanFixtures.AssertClose(expected, image, name + " image", 1e-4 * Math.Max(1, scale));
    }
}
