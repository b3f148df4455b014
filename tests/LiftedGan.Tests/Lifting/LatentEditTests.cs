using LiftedGan.Lifting;
using LiftedGan.Packing;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The composer as a linear edit of the teacher's latent space (<see cref="LiftingConfig.ComposerEdit"/>): the mapping
/// network's inverse, the projection's algebra, its refits in training and its checkpoint round trip.
/// </summary>
public class LatentEditTests
{
    static Tensor Normalised(Tensor z) => z * Math.Sqrt(z.shape[1]) / z.square().sum(1, keepdim: true).sqrt();

    [Fact]
    public void UnmapTracesRememberedStylesBackToTheirLatents()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var _ = no_grad();
        var z = randn([16, teacher.Config.StyleDim], generator: new Generator(3));
        teacher.RememberLatents(20);
        var w = teacher.Map(z);
        var mean = w.mean([0], keepdim: true);
        var truncated = mean + 1.0 * (w - mean);  // ψ 1 through float arithmetic: not bit-equal, still found
        Assert.True((teacher.Unmap(truncated) - Normalised(z)).abs().max().item<float>() < 1e-5, "the latent of a remembered style");
        Assert.True((teacher.Map(teacher.Unmap(w)) - w).abs().max().item<float>() < 1e-4 * w.abs().max().item<float>(), "Map(Unmap(w)) must be w");
        // A style it did not map (here evicted from the ring: 16 + 16 + 10 rows through 20) gets a fitted latent that maps back to it.
        teacher.Map(randn([10, teacher.Config.StyleDim], generator: new Generator(4)));
        var fitted = teacher.Unmap(w[..4]);
        Assert.True((fitted - Normalised(z)[..4]).abs().max().item<float>() > 1e-3, "an evicted style is not found in the ring");
        var error = (teacher.Map(fitted) - w[..4]).abs().mean().item<float>() / w[..4].abs().mean().item<float>();
        Assert.True(error < 0.05, $"the fitted latent must map back near the style (relative error {error:F4})");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheEditMovesTheRegressedReadingsToTheTargetAndNothingWhenAskedForTheFacesOwn(bool translation)
    {
        var config = IdentityPathTests.NoTerms with { ComposerEdit = true, Truncation = 1, ComposerEditTranslation = translation };
        using var setup = new IdentityPathTests.Setup(config);
        var model = setup.Model;
        var edit = model.Edit!;
        Assert.False(edit.Fitted);
        var explained = edit.Fit(model, 512, 11);
        Assert.True(edit.Fitted);
        Assert.Equal(translation ? LatentEdit.ReadingsWithTranslation : LatentEdit.Readings, explained.Length);
        Assert.Equal(explained.Length, edit.Directions.shape[1]);
        Assert.All(explained, r => Assert.InRange(r, 0.0, 1.0));
        using var _ = no_grad();
        var w = model.Teacher.Map(randn([8, config.StyleDim], generator: new Generator(4)));
        var (light, view) = model.LightAndView(w, train: false);
        var zn = model.Teacher.Unmap(w);

        // Canonical: the regression reads the edited face at view 0 (with translation: tx = ty = 0 too) and no light
        // direction; ambient and diffuse asked as they were.
        var canonical = model.NeutralStyle(w, light);
        var reading = edit.Predicted(model.Teacher.Unmap(canonical));
        float source = edit.Predicted(zn).abs().max().item<float>();
        Assert.True(reading.abs().max().item<float>() < 0.01 * source, $"canonical reading {reading.abs().max().item<float>()} (source {source}) {string.Join(",", reading.abs().max(0).values.data<float>().ToArray())}");

        // A target of 10° yaw more: only the yaw reading moves, by that much.
        var turned = view.clone();
        turned[.., 1] += 10.0 / 180;
        var before = edit.Predicted(zn);
        var after = edit.Predicted(model.Teacher.Unmap(model.Compose(w, light, turned)));
        var change = after - before;
        var asked = edit.Targets(light, turned) - edit.Targets(light, view);
        Assert.True((change - asked - (edit.Targets(light, view) - before)).abs().max().item<float>() < 1e-3, "the edit must set the regression's readings to the target");
        if (translation)
        {
            // A shift of tx: only the tx reading moves, by that much.
            var shifted = view.clone();
            shifted[.., 3] += 0.05;
            var moved = edit.Predicted(model.Teacher.Unmap(model.Compose(w, light, shifted))) - edit.Predicted(model.Teacher.Unmap(model.Compose(w, light, view)));
            var expected = zeros_like(moved);
            expected[.., 5] = 0.05;
            Assert.True((moved - expected).abs().max().item<float>() < 1e-3, "a tx target moves the tx reading alone");
        }

        // Asked for the regression's own reading of the face, the edit leaves the style alone.
        var own = edit.Predicted(zn);
        var ownView = view.clone();
        ownView[.., ..3] = own[.., ..3];
        var ownLight = light.clone();
        ownLight[.., 2..4] = own[.., 3..5];
        if (translation) ownView[.., 3..5] = own[.., 5..];
        Assert.True((model.Compose(w, ownLight, ownView) - w).abs().max().item<float>() < 1e-3 * w.abs().max().item<float>());
    }

    [Fact]
    public void TrainingFitsTheEditAtTheStartAndEveryNStepsAndCheckpointsIt()
    {
        var config = IdentityPathTests.NoTerms with { ComposerEdit = true, Truncation = 1, ComposerEditEvery = 2, ReconstructionWeight = 1 };
        var dir = Directory.CreateTempSubdirectory("liftedgan-edit").FullName;
        try
        {
            using var setup = new IdentityPathTests.Setup(config);
            var first = setup.Trainer.Step();
            Assert.True(setup.Model.Edit!.Fitted);
            Assert.Contains("edit/explained_yaw", first.Keys);
            Assert.DoesNotContain("edit/explained_yaw", setup.Trainer.Step().Keys);
            Assert.Contains("edit/explained_yaw", setup.Trainer.Step().Keys);
            string path = Path.Combine(dir, "checkpoint_001.pth");
            setup.Trainer.SaveCheckpoint(path);
            using var resumed = new IdentityPathTests.Setup(config);
            Assert.Empty(resumed.Trainer.Resume(path));
            Assert.True(resumed.Model.Edit!.Fitted);
            Assert.True(resumed.Model.Edit.Directions.equal(setup.Model.Edit.Directions).all().item<bool>());
            using var opened = LiftedCheckpoint.Open(path, SupervisedTruthTests.SaveTeacher(setup.Model.Teacher, Path.Combine(dir, "teacher.pt"), worldFit: true));
            Assert.True(opened.Edit!.Directions.equal(setup.Model.Edit.Directions).all().item<bool>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ALiftResumedWithTheTranslationSwitchFitsASevenReadingEditUnderItsOwnKey()
    {
        var config = IdentityPathTests.NoTerms with { ComposerEdit = true, Truncation = 1, ReconstructionWeight = 1 };
        var dir = Directory.CreateTempSubdirectory("liftedgan-edit-t").FullName;
        try
        {
            using var setup = new IdentityPathTests.Setup(config);
            setup.Trainer.Step();
            string path = Path.Combine(dir, "checkpoint_001.pth");
            setup.Trainer.SaveCheckpoint(path);
            using var resumed = new IdentityPathTests.Setup(config with { ComposerEditTranslation = true });
            Assert.Equal([LiftedGenerator.TranslationEditKey], resumed.Trainer.Resume(path));
            Assert.False(resumed.Model.Edit!.Fitted);
            var first = resumed.Trainer.Step();
            Assert.True(resumed.Model.Edit.Fitted);
            Assert.Contains("edit/explained_tx", first.Keys);
            Assert.Contains("edit/explained_ty", first.Keys);
            Assert.Equal(LatentEdit.ReadingsWithTranslation, resumed.Model.Edit.Directions.shape[1]);
            string second = Path.Combine(dir, "checkpoint_002.pth");
            resumed.Trainer.SaveCheckpoint(second);
            string teacher = SupervisedTruthTests.SaveTeacher(setup.Model.Teacher, Path.Combine(dir, "teacher.pt"), worldFit: true);
            using var opened = LiftedCheckpoint.Open(second, teacher);
            Assert.True(opened.Edit!.Directions.equal(resumed.Model.Edit.Directions).all().item<bool>());
            // The packed model keeps netLET.
            string packed = Path.Combine(dir, "packed.pth");
            ModelPacker.Pack(second, packed, half: false);
            using var unpacked = LiftedCheckpoint.Open(packed, teacher);
            Assert.True(unpacked.Edit!.Directions.equal(resumed.Model.Edit.Directions).all().item<bool>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheEditNeedsUntruncatedLatentsAndNoOtherComposerSwitch()
    {
        var config = IdentityPathTests.NoTerms with { ComposerEdit = true, Truncation = 1 };
        Assert.Null(config.SettingsProblem());
        Assert.Contains("composer_edit", config with { Truncation = 0.7 } is var t ? t.SettingsProblem() : null);
        Assert.NotNull((config with { ResidualComposer = true }).SettingsProblem());
        Assert.NotNull((config with { ComposerEditEvery = 0 }).SettingsProblem());
        Assert.Null((config with { ComposerEditTranslation = true }).SettingsProblem());
        Assert.Contains("composer_edit_translation", (IdentityPathTests.NoTerms with { ComposerEditTranslation = true }).SettingsProblem());
        Assert.Null(IdentityPathTests.NoTerms.SettingsProblem());
    }
}
