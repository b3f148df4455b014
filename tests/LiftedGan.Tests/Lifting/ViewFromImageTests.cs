using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The view read from the teacher's image (<see cref="LiftingConfig.ViewFromImage"/>, off by default): the estimate's
/// view comes from <see cref="ImageViewEncoder"/>, the parameter cycle trains it on the composer's images, its
/// checkpoint key is netVI, and a lift trained without it gains it on resume after a warm start.
/// </summary>
public class ViewFromImageTests
{
    static LiftingConfig Unsupervised => IdentityPathTests.NoTerms with { Truncation = 1 };

    [Fact]
    public void OffByDefaultTheNetworksAreTheOfficialFour()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, Unsupervised);
        Assert.Null(model.ViewEncoder);
        Assert.Equal(new[] { "netD", "netT", "netSD", "netSC" }, model.Networks.Select(n => n.Key));
    }

    [Fact]
    public void TheEstimatesViewIsTheEncodersReadingOfTheTeachersImage()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, Unsupervised with { ViewFromImage = true });
        Assert.Equal(new[] { "netD", "netT", "netSD", "netSC", "netVI" }, model.Networks.Select(n => n.Key));
        using var _ = no_grad();
        var w = teacher.Map(randn([3, 64], generator: new Generator(5)));
        using var est = model.Estimate(w);
        var image = model.Synthesize(w).Image.clamp(-1, 1);
        Assert.True(allclose(est.View, model.ViewEncoder!.forward(image), 1e-6, 1e-6), "the view must be the encoder's on G(w)");
        var (_, styleView) = model.Decomposer.forward(w);
        Assert.False(allclose(est.View, styleView, 1e-3, 1e-3), "the view must not be netSD's");
        // A caller's own copy of the image gives the same estimate.
        using var given = model.Estimate(w, image);
        Assert.True(allclose(given.View, est.View, 0, 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheCycleTrainsTheEncoderOnTheComposersImagesAndTheComposerThroughTheTeacher(bool trainsDecomposer)
    {
        using var setup = new IdentityPathTests.Setup(Unsupervised with
        {
            ViewFromImage = true, PerturbParameterWeight = 4, PerturbTrainsDecomposer = trainsDecomposer,
        });
        var (model, trainer) = (setup.Model, setup.Trainer);
        trainer.Step();
        Assert.True(IdentityPathTests.HasGradient(model.Composer), "the view of G(M(...)) must reach the composer through the frozen teacher");
        Assert.Equal(trainsDecomposer, IdentityPathTests.HasGradient(model.ViewEncoder!));
        Assert.All(model.ViewEncoder!.parameters(), p => Assert.True(p.requires_grad, "the encoder must stay trainable"));
        Assert.All(model.Teacher.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void ResumingALiftWithoutTheEncoderKeepsItsNetworksAndStartsTheEncoderFresh()
    {
        var dir = Directory.CreateTempSubdirectory("lift-netvi").FullName;
        string ckpt = Path.Combine(dir, "checkpoint_001.pth");
        try
        {
            using (var plain = new IdentityPathTests.Setup(Unsupervised with { PerturbParameterWeight = 4 }))
            {
                plain.Trainer.Step();
                plain.Trainer.SaveCheckpoint(ckpt);
            }
            File.Delete(Path.Combine(dir, LiftedCheckpoint.ConfigFileName));
            using var withEncoder = new IdentityPathTests.Setup(Unsupervised with { PerturbParameterWeight = 4, ViewFromImage = true });
            var fresh = withEncoder.Model.ViewEncoder!.parameters().Select(p => p.detach().clone()).ToList();
            var missing = withEncoder.Trainer.Resume(ckpt);
            Assert.Equal(new[] { LiftedGenerator.ViewEncoderKey }, missing);
            Assert.Equal(1, withEncoder.Trainer.GlobalStep);
            Assert.All(fresh.Zip(withEncoder.Model.ViewEncoder.parameters()), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
            var losses = withEncoder.Trainer.Step();
            Assert.True(double.IsFinite(losses["total"]));

            // Saved again, the encoder is in the checkpoint and loads back identically.
            string again = Path.Combine(dir, "checkpoint_002.pth");
            withEncoder.Trainer.SaveCheckpoint(again);
            using var reloaded = new IdentityPathTests.Setup(Unsupervised with { PerturbParameterWeight = 4, ViewFromImage = true });
            Assert.Empty(reloaded.Trainer.Resume(again));
            foreach (var ((name, a), (_, b)) in withEncoder.Model.ViewEncoder.named_parameters().Zip(reloaded.Model.ViewEncoder!.named_parameters()))
                Assert.True(a.eq(b).all().item<bool>(), $"netVI.{name}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void APackedLiftKeepsItsEncoderAndOpeningOneWithoutItIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("lift-netvi-pack").FullName;
        try
        {
            using var teacher = SupervisedTruthTests.WorldTeacher();
            string teacherPath = SupervisedTruthTests.SaveTeacher(teacher, Path.Combine(dir, "teacher.pt"), worldFit: true);
            string ckpt = Path.Combine(dir, "run", "checkpoint_001.pth");
            Directory.CreateDirectory(Path.GetDirectoryName(ckpt)!);
            using (var setup = new IdentityPathTests.Setup(Unsupervised with { ViewFromImage = true, PerturbParameterWeight = 4 }))
            {
                setup.Trainer.Step();
                setup.Trainer.SaveCheckpoint(ckpt);
                string packed = Path.Combine(dir, "packed", "lift.pth");
                LiftedGan.Packing.ModelPacker.Pack(ckpt, packed, half: true);
                using var opened = LiftedCheckpoint.Open(packed, teacherPath);
                foreach (var ((name, a), (_, b)) in setup.Model.ViewEncoder!.named_parameters().Zip(opened.ViewEncoder!.named_parameters()))
                    Assert.True(allclose(a, b, 1e-2, 1e-3), $"netVI.{name} must survive packing (float16)");
            }
            // The same checkpoint without netVI, but a config that asks for it: refused, not silently random.
            var root = (LiftedGan.Checkpoints.PyDict)LiftedGan.Checkpoints.TorchCheckpoint.Load(ckpt)!;
            var without = new LiftedGan.Checkpoints.PyDict();
            foreach (var (key, value) in root)
                if (!Equals(key, LiftedGenerator.ViewEncoderKey)) without.Set(key, value);
            LiftedGan.Checkpoints.TorchCheckpoint.Save(ckpt, without);
            LiftedGan.Checkpoints.TorchCheckpoint.DisposeTensors(root);
            var e = Assert.Throws<LiftedGan.Checkpoints.CheckpointFormatException>(() => LiftedCheckpoint.Open(ckpt, teacherPath));
            Assert.Contains("netVI", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void WarmStartTrainsOnlyTheEncoderAndLowersItsError()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        var config = Unsupervised with { ViewFromImage = true };
        using var statistics = StyleStatistics.Compute(teacher, config.StatisticsSamples, config.Seed);
        using var model = new LiftedGenerator(teacher, config);
        double first = ViewEncoderWarmup.Run(model, statistics, 1, config.Seed);
        using var trained = new LiftedGenerator(teacher, config);
        var composer = trained.Composer.parameters().Select(p => p.detach().clone()).ToList();
        var decomposer = trained.Decomposer.parameters().Select(p => p.detach().clone()).ToList();
        var encoder = trained.ViewEncoder!.parameters().Select(p => p.detach().clone()).ToList();
        double last = ViewEncoderWarmup.Run(trained, statistics, 40, config.Seed);
        // (A random composer turns its faces little, so the error only has to fall; on a trained lift it reaches 2.7° rms.)
        Assert.True(double.IsFinite(last) && last < first, $"rotation error {first:F4} -> {last:F4}");
        Assert.All(composer.Zip(trained.Composer.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "the composer is fixed"));
        Assert.All(decomposer.Zip(trained.Decomposer.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "netSD is fixed"));
        Assert.Contains(encoder.Zip(trained.ViewEncoder.parameters()), p => !p.First.eq(p.Second).all().item<bool>());
        using var noEncoder = new LiftedGenerator(teacher, Unsupervised);
        Assert.Throws<ArgumentException>(() => ViewEncoderWarmup.Run(noEncoder, statistics, 1, config.Seed));
    }
}
