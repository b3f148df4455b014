using LiftedGan.Lifting;
using LiftedGan.Rendering;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The view-equivariance term (<see cref="LiftingConfig.ViewEquivarianceWeight"/>, off by default): a camera roll is
/// an image rotation (<see cref="ImageRoll"/>), the term's value for known readings, the encoder's disc, and its wiring
/// into the trainer.
/// </summary>
public class ViewEquivarianceTests
{
    static LiftingConfig Unsupervised => IdentityPathTests.NoTerms with { Truncation = 1 };

    [Theory]
    [InlineData(12.0)]
    [InlineData(-20.0)]
    public void TurningTheImageIsRenderingTheRolledView(double degrees)
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, SupervisedTruthTests.Config);
        int s = model.Config.ImageSize;
        using var _ = no_grad();
        // An asymmetric bump with a texture that changes in x and y, so that a wrong sign or centre shows.
        var coords = arange(s, dtype: float32) - (s - 1) / 2.0;
        var x = coords.view(1, 1, s).expand(1, s, s);
        var y = coords.view(1, s, 1).expand(1, s, s);
        var depth = 1.0 - 0.04 * (-((x - 3).square() + y.square()) / 90.0).exp() - 0.02 * (-(x.square() + (y - 7).square()) / 10.0).exp();
        var albedo = stack(new[] { (x / 6).cos(), (y / 5).sin(), ((x + 2 * y) / 9).cos() }, 1) * 0.6;
        var view = tensor(new float[] { 6f / 60, 15f / 60, 4f / 60, 0.15f, -0.1f, 0.1f }, [1, 6]);
        var light = tensor(new float[] { 1, -1, 0, 0 }, [1, 4]);  // ambient only: a roll of the camera would turn a directional light's shading too
        var delta = tensor(new[] { degrees * Math.PI / 180 }, dtype: float32);
        using var plain = model.Render(depth, albedo, light, view, null);
        using var rolled = model.Render(depth, albedo, light, ImageRoll.RolledRawView(view, delta), null);
        var inner = ImageRoll.Disc(s).lt(1).logical_not().logical_and(
            plain.Render.Mask.gt(0.5).logical_and(rolled.Render.Mask.gt(0.5)));
        float Error(Tensor a) => ((a - rolled.Render.Image).abs().sum(1, keepdim: true) * inner).sum().item<float>() / inner.sum().item<long>();
        float turned = Error(ImageRoll.Rotate(plain.Render.Image, delta));
        float unturned = Error(plain.Render.Image);
        float wrongWay = Error(ImageRoll.Rotate(plain.Render.Image, -delta));
        Assert.True(unturned > 0.1, $"the test needs a roll that changes the render ({unturned:F4})");
        Assert.True(turned < 0.15 * unturned, $"turned render vs render of the rolled view: {turned:F4} (unturned {unturned:F4})");
        Assert.True(wrongWay > 1.5 * unturned, $"turning the other way must be worse than not turning: {wrongWay:F4} vs {unturned:F4}");
        // The rolled view keeps pitch, yaw and tz, adds δ to roll and turns (tx, ty) by δ.
        var r = ImageRoll.RolledRawView(view, delta);
        Assert.Equal(view[0, 2].item<float>() + degrees / 60, r[0, 2].item<float>(), 5);
        var kept = tensor(new long[] { 0, 1, 5 });
        Assert.True(allclose(r.index_select(1, kept), view.index_select(1, kept)));
        Assert.Equal(view[.., 3..5].square().sum().item<float>(), r[.., 3..5].square().sum().item<float>(), 6);
    }

    [Fact]
    public void TheTermIsTheMeanSquaredDepartureOfTheReadingsFromTheTurnedAndMirroredViews()
    {
        using var _ = no_grad();
        var images = rand(2, 3, 16, 16, generator: new Generator(3));
        var roll1 = tensor(new[] { 0.1f, -0.2f });
        var roll2 = tensor(new[] { -0.05f, 0.25f });
        // A reader that ignores the image: every reading is v, so the differences are known.
        var v = tensor(new float[] { 0.1f, 0.3f, -0.05f, 0.2f, -0.4f, 0.1f }, [1, 6]);
        Tensor Constant(Tensor img) => v.expand(img.shape[0], 6);
        var term = LiftingLosses.ViewEquivariance(Constant, images, roll1, roll2).item<float>();
        double expected = 0;
        for (int i = 0; i < 2; i++)
        {
            double d = roll2[i].item<float>() - roll1[i].item<float>();
            double tx = 0.2, ty = -0.4;
            var rolled = new[] { 0, 0, -d / (Math.PI / 3), tx - (Math.Cos(d) * tx - Math.Sin(d) * ty), ty - (Math.Sin(d) * tx + Math.Cos(d) * ty), 0 };
            var mirrored = new[] { 0, 2 * 0.3, 2 * -0.05, 2 * 0.2, 0, 0 };
            for (int k = 0; k < 6; k++) expected += (rolled[k] * rolled[k] + mirrored[k] * mirrored[k]) / 2;
        }
        expected /= 12;
        Assert.Equal(expected, term, 5);
        // A reading that is the mirror-symmetric, untranslated frontal view, asked for no turn, costs nothing.
        v = zeros(1, 6);
        Assert.Equal(0, LiftingLosses.ViewEquivariance(Constant, images, roll1, roll1).item<float>(), 7);
    }

    [Fact]
    public void TheDiscHidesTheCornersFromTheEncoder()
    {
        using var _ = no_grad();
        using var withDisc = new ImageViewEncoder(16, disc: true);
        using var without = new ImageViewEncoder(16);
        var image = rand(1, 3, 16, 16, generator: new Generator(1)) * 2 - 1;
        var corners = image.clone();
        corners[.., .., ..2, ..2] = ones(1, 3, 2, 2);
        corners[.., .., 14.., 14..] = -ones(1, 3, 2, 2);
        Assert.True(withDisc.UsesDisc && !without.UsesDisc);
        Assert.True(withDisc.forward(image).equal(withDisc.forward(corners)).all().item<bool>(), "corner pixels must not reach the encoder");
        Assert.False(without.forward(image).equal(without.forward(corners)).all().item<bool>());
        var disc = ImageRoll.Disc(16);
        Assert.Equal(1f, disc[0, 0, 8, 8].item<float>());
        Assert.Equal(0f, disc[0, 0, 0, 0].item<float>());
        Assert.True(disc.equal(disc.flip(3)).all().item<bool>() && disc.equal(disc.transpose(2, 3)).all().item<bool>());
    }

    [Fact]
    public void OffByDefaultAndRefusedWithoutTheImageEncoderAndItsDisc()
    {
        var config = Unsupervised;
        Assert.Equal(0, config.ViewEquivarianceWeight);
        Assert.False(config.ViewInputDisc);
        Assert.Null(config.SettingsProblem());
        Assert.Contains("view_from_image", (config with { ViewEquivarianceWeight = 1 }).SettingsProblem());
        Assert.Contains("view_input_disc", (config with { ViewEquivarianceWeight = 1, ViewFromImage = true }).SettingsProblem());
        Assert.Null((config with { ViewEquivarianceWeight = 1, ViewFromImage = true, ViewInputDisc = true }).SettingsProblem());
        Assert.NotNull((config with { ViewEquivarianceRoll = 50 }).SettingsProblem());
        using var teacher = SupervisedTruthTests.WorldTeacher();
        Assert.Throws<ArgumentException>(() => new LiftedGenerator(teacher, config with { ViewEquivarianceWeight = 1 }));
    }

    [Fact]
    public void TheTermTrainsTheEncoderAloneAndKeepsTheRestOfTheStepsDraws()
    {
        var config = Unsupervised with { ViewFromImage = true, ViewInputDisc = true, PerturbParameterWeight = 4 };
        using var plain = new IdentityPathTests.Setup(config);
        var plainLosses = plain.Trainer.Step();
        Assert.False(plainLosses.ContainsKey("view_equivariance"));

        using var setup = new IdentityPathTests.Setup(config with { ViewEquivarianceWeight = 5 });
        var before = setup.Model.ViewEncoder!.parameters().Select(p => p.detach().clone()).ToList();
        var losses = setup.Trainer.Step();
        Assert.True(losses["view_equivariance"] > 0 && double.IsFinite(losses["view_equivariance"]));
        // Drawn last: the other terms of the step are the same as without it.
        Assert.Equal(plainLosses["perturb_param"], losses["perturb_param"], 6);
        Assert.Contains(setup.Model.ViewEncoder.parameters().Zip(before), x => !x.First.equal(x.Second).all().item<bool>());

        // Alone, it reaches the encoder and nothing else.
        using var alone = new IdentityPathTests.Setup(Unsupervised with { ViewFromImage = true, ViewInputDisc = true, ViewEquivarianceWeight = 5 });
        alone.Trainer.Step();
        Assert.True(IdentityPathTests.HasGradient(alone.Model.ViewEncoder!));
        Assert.False(IdentityPathTests.HasGradient(alone.Model.Composer));
        Assert.False(IdentityPathTests.HasGradient(alone.Model.DepthDecoder));
    }
}

/// <summary>
/// The roll's own encoder (<see cref="LiftingConfig.ViewRollEncoder"/>, off by default): the view's roll is netVR's
/// reading and the rest netVI's; a held view holds netVI only; a lift resumed with it starts netVR as a copy of netVI;
/// it is checkpointed and packed.
/// </summary>
public class RollEncoderTests
{
    static LiftingConfig WithRoll => IdentityPathTests.NoTerms with { Truncation = 1, ViewFromImage = true, ViewRollEncoder = true };

    [Fact]
    public void TheRollIsTheRollEncodersReadingAndTheRestTheViewEncoders()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, WithRoll);
        Assert.Equal(new[] { "netD", "netT", "netSD", "netSC", "netVI", "netVR" }, model.Networks.Select(n => n.Key));
        Assert.True(model.RollEncoder!.UsesDisc);
        using var _ = no_grad();
        var w = teacher.Map(randn([3, 64], generator: new Generator(5)));
        using var est = model.Estimate(w);
        var image = model.Synthesize(w).Image.clamp(-1, 1);
        var view = model.ViewEncoder!.forward(image);
        var roll = model.RollEncoder.forward(image);
        Assert.True(allclose(est.View[.., 2], roll[.., 2], 1e-6, 1e-6));
        var others = tensor(new long[] { 0, 1, 3, 4, 5 });
        Assert.True(allclose(est.View.index_select(1, others), view.index_select(1, others), 1e-6, 1e-6));
        Assert.False(allclose(view[.., 2], roll[.., 2], 1e-4, 1e-4), "two freshly initialised encoders should not agree");
        using var plain = new LiftedGenerator(teacher, WithRoll with { ViewRollEncoder = false });
        Assert.Null(plain.RollEncoder);
        Assert.NotNull((WithRoll with { ViewFromImage = false }).SettingsProblem());
    }

    [Fact]
    public void AHeldViewHoldsTheViewEncoderButTrainsTheRoll()
    {
        using var setup = new IdentityPathTests.Setup(WithRoll with { ReconstructionWeight = 1, ViewHoldUntilStep = 100, ViewEquivarianceWeight = 10 });
        var model = setup.Model;
        var view = model.ViewEncoder!.parameters().Select(p => p.detach().clone()).ToList();
        var roll = model.RollEncoder!.parameters().Select(p => p.detach().clone()).ToList();
        var losses = setup.Trainer.Step();
        Assert.True(losses["view_equivariance"] > 0);
        Assert.All(model.ViewEncoder.parameters().Zip(view), x => Assert.True(x.First.equal(x.Second).all().item<bool>(), "netVI is held"));
        Assert.Contains(model.RollEncoder.parameters().Zip(roll), x => !x.First.equal(x.Second).all().item<bool>());
    }

    [Fact]
    public void ResumedWithoutItTheRollEncoderStartsAsTheViewEncoderAndIsSavedAndPacked()
    {
        var dir = Directory.CreateTempSubdirectory("lift-netvr").FullName;
        try
        {
            string ckpt = Path.Combine(dir, "run", "checkpoint_001.pth");
            Directory.CreateDirectory(Path.GetDirectoryName(ckpt)!);
            using (var plain = new IdentityPathTests.Setup(WithRoll with { ViewRollEncoder = false, PerturbParameterWeight = 4 }))
            {
                plain.Trainer.Step();
                plain.Trainer.SaveCheckpoint(ckpt);
            }
            File.Delete(Path.Combine(dir, "run", LiftedCheckpoint.ConfigFileName));
            using var setup = new IdentityPathTests.Setup(WithRoll with { PerturbParameterWeight = 4 });
            Assert.Equal(new[] { LiftedGenerator.RollEncoderKey }, setup.Trainer.Resume(ckpt));
            setup.Model.StartRollEncoderFromViewEncoder();
            foreach (var (a, b) in setup.Model.RollEncoder!.parameters().Zip(setup.Model.ViewEncoder!.parameters()))
                Assert.True(a.equal(b).all().item<bool>());
            setup.Trainer.Step();
            string again = Path.Combine(dir, "run", "checkpoint_002.pth");
            setup.Trainer.SaveCheckpoint(again);
            using var teacher = SupervisedTruthTests.WorldTeacher();
            string teacherPath = SupervisedTruthTests.SaveTeacher(teacher, Path.Combine(dir, "teacher.pt"), worldFit: true);
            string packed = Path.Combine(dir, "packed", "lift.pth");
            LiftedGan.Packing.ModelPacker.Pack(again, packed, half: true);
            using var opened = LiftedCheckpoint.Open(packed, teacherPath);
            foreach (var ((name, a), (_, b)) in setup.Model.RollEncoder.named_parameters().Zip(opened.RollEncoder!.named_parameters()))
                Assert.True(allclose(a, b, 1e-2, 1e-3), $"netVR.{name} must survive packing (float16)");
        }
        finally { Directory.Delete(dir, true); }
    }
}
