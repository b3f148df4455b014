using LiftedGan.Lifting;
using LiftedGan.Torch;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The two non-official switches that let a face's identity reach the depth decoder
/// (<see cref="LiftingConfig.ResidualComposer"/>, <see cref="LiftingConfig.DepthFromSourceStyle"/>): each changes what
/// the decoder can see, and the official default does neither.
/// </summary>
public class IdentityPathTests
{
    static LiftedGenerator Model(bool residual, bool sourceStyle)
    {
        var config = SupervisedTruthTests.Config with { ResidualComposer = residual, DepthFromSourceStyle = sourceStyle };
        var model = new LiftedGenerator(SupervisedTruthTests.WorldTeacher(), config);
        // A composer that outputs nothing of its own: every face then gets the same neutral style unless w passes through.
        using (no_grad())
            foreach (var p in model.Composer.parameters()) p.zero_();
        return model;
    }

    /// <summary>Depth maps of two different latents and the composer's neutral styles for them.</summary>
    static (Tensor DepthA, Tensor DepthB, Tensor Neutral, Tensor W) TwoFaces(LiftedGenerator model)
    {
        using var _ = no_grad();
        var w = model.Teacher.Map(randn([2, 64], generator: new Generator(5)));
        using var est = model.Estimate(w);
        return (est.Depth[0].clone(), est.Depth[1].clone(), est.NeutralStyle.clone(), w);
    }

    [Fact]
    public void OfficialComposerWithZeroOutputGivesEveryFaceTheSameDepth()
    {
        using var model = Model(residual: false, sourceStyle: false);
        var (a, b, neutral, _) = TwoFaces(model);
        Assert.Equal(0.0, neutral.abs().max().item<float>(), 6);
        Assert.Equal(0.0, (a - b).abs().max().item<float>(), 6);
    }

    [Fact]
    public void ResidualComposerPassesTheSourceStyleThrough()
    {
        using var model = Model(residual: true, sourceStyle: false);
        var (a, b, neutral, w) = TwoFaces(model);
        Assert.True(allclose(neutral, w, 1e-6, 1e-6), "with a zero composer output the neutral style must be w itself");
        Assert.True((a - b).abs().max().item<float>() > 1e-4, "different faces must get different depth");
    }

    [Fact]
    public void ATrainedLiftResumedWithTheResidualComposerStartsFromTheSourceStyle()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-residual").FullName;
        try
        {
            string teacher;
            using (var g = SupervisedTruthTests.WorldTeacher())
                teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit: true);
            var config = SupervisedTruthTests.Config with
            {
                Objective = LiftingObjective.Unsupervised, Epochs = 1, StepsPerEpoch = 2, BatchSize = 2, AlbedoRankWeight = 0,
            };
            var first = Path.Combine(dir, "first");
            using (var trainer = LiftingRun.Open(config, new LiftingInputs(teacher, first, null, null), _ => { }))
                LiftingRun.Run(trainer, first);
            string checkpoint = LiftingRun.LatestCheckpoint(first)!;

            var logs = new List<string>();
            var second = Path.Combine(dir, "second");
            using (var trainer = LiftingRun.Open(config, new LiftingInputs(teacher, second, null, null), _ => { }, checkpoint,
                c => c with { ResidualComposer = true, Epochs = 2 }, logs.Add))
            {
                var model = trainer.Model;
                using (no_grad())
                {
                    var w = model.Teacher.Map(randn([3, 64], generator: new Generator(5)));
                    var light = rand([3, 4], generator: new Generator(6)) * 2 - 1;
                    var view = rand([3, 6], generator: new Generator(7)) * 2 - 1;
                    Assert.True(allclose(model.Compose(w, light, view), w, 1e-6, 1e-6), "the re-started residual composer must give w for any light and view");
                }
                Assert.Contains(logs, l => l.Contains("re-started as a residual"));
                LiftingRun.Run(trainer, second);
                Assert.True(model.Composer.parameters().Last().abs().sum().item<float>() > 0, "training must move the residual's output layer");
            }

            // The residual run cannot be resumed as a plain composer (its output would replace the style).
            var e = Assert.Throws<LiftingSetupException>(() => LiftingRun.Open(config, new LiftingInputs(teacher, Path.Combine(dir, "third"), null, null),
                _ => { }, LiftingRun.LatestCheckpoint(second)!, c => c with { ResidualComposer = false }));
            Assert.Contains("composer_residual", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheViewNetworkIsHeldUntilItsStepWhileTheRestTrains()
    {
        var config = NoTerms with { ReconstructionWeight = 1, PerturbParameterWeight = 4, ViewHoldUntilStep = 1 };
        using var setup = new Setup(config);
        var (model, trainer) = (setup.Model, setup.Trainer);
        var viewBefore = model.Decomposer.ViewParameters().Select(p => p.detach().clone()).ToList();
        var composerBefore = model.Composer.parameters().Select(p => p.detach().clone()).ToList();
        trainer.Step();  // step 0 < 1: held
        Assert.All(model.Decomposer.ViewParameters().Zip(viewBefore), x => Assert.True(x.First.equal(x.Second).all().item<bool>(), "a held view head must not move"));
        Assert.Contains(model.Composer.parameters().Zip(composerBefore), x => !x.First.equal(x.Second).all().item<bool>());
        trainer.Step();  // step 1: released
        Assert.Contains(model.Decomposer.ViewParameters().Zip(viewBefore), x => !x.First.equal(x.Second).all().item<bool>());
    }

    [Fact]
    public void ResidualWarmupTrainsOnlyTheComposerAgainstTheFrozenViewAndLight()
    {
        var config = NoTerms with { ResidualComposer = true, PerturbParameterWeight = 12, StyleProximityWeight = 0.1 };
        using var setup = new Setup(config);
        var model = setup.Model;
        using (no_grad()) model.Composer.ZeroOutput();
        var decomposerBefore = model.Decomposer.TrainableParameters().Select(p => p.detach().clone()).ToList();
        var statistics = StyleStatistics.Compute(model.Teacher, config.StatisticsSamples, config.Seed);
        double error = ResidualComposerWarmup.Run(model, statistics, 3, config.Seed);
        Assert.True(double.IsFinite(error) && error > 0, $"error {error}");
        Assert.True(model.Composer.parameters().Last().abs().sum().item<float>() > 0, "the composer's output layer must have moved");
        Assert.All(model.Decomposer.TrainableParameters().Zip(decomposerBefore), x => Assert.True(x.First.equal(x.Second).all().item<bool>(), "the light and view networks must stay fixed"));
        Assert.Throws<ArgumentException>(() => ResidualComposerWarmup.Run(new LiftedGenerator(model.Teacher, config with { ResidualComposer = false }), statistics, 1, 1));
    }

    [Fact]
    public void LinearResidualWarmupFitsTheComposerToTheLinearEditAndLeavesTheReadersAlone()
    {
        var config = NoTerms with { ResidualComposer = true, ResidualWarmupLinear = true };
        using var setup = new Setup(config);
        var model = setup.Model;
        using (no_grad()) model.Composer.ZeroOutput();
        var statistics = StyleStatistics.Compute(model.Teacher, config.StatisticsSamples, config.Seed);
        using (var edit = ResidualComposerWarmup.LinearEdit.Fit(model, statistics, 256, 7))
        {
            Assert.Equal(new long[] { 7, config.StyleDim }, edit.Matrix.shape);
            Assert.InRange(edit.Explained, 0.0, 1.0);
            using var from = zeros(1, 7);
            using var to = zeros(1, 7);
            Assert.Equal(0.0, edit.Residual(from, to).abs().max().item<float>(), 6);  // asked for the face's own reading: no change
        }
        var decomposerBefore = model.Decomposer.TrainableParameters().Select(p => p.detach().clone()).ToList();
        double first = ResidualComposerWarmup.Run(model, statistics, 1, config.Seed);
        double later = ResidualComposerWarmup.Run(model, statistics, 40, config.Seed);
        Assert.True(double.IsFinite(first) && first > 0.5, $"a zero residual misses the whole edit at first (relative error {first:F3})");
        Assert.True(later < first, $"the fit must lower the relative error ({first:F3} -> {later:F3})");
        Assert.All(model.Decomposer.TrainableParameters().Zip(decomposerBefore), x => Assert.True(x.First.equal(x.Second).all().item<bool>(), "the light and view networks must stay fixed"));
    }

    /// <summary>Whether any parameter of <paramref name="module"/> got a non-zero gradient.</summary>
    internal static bool HasGradient(TorchSharp.torch.nn.Module module) =>
        module.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0);

    /// <summary>The unsupervised objective with every loss term at 0: a test switches on only the term it looks at.</summary>
    internal static LiftingConfig NoTerms => SupervisedTruthTests.Config with
    {
        Objective = LiftingObjective.Unsupervised, PerceptualWeight = 0, ReconstructionWeight = 0, FlipWeight = 0,
        PerturbImageWeight = 0, PerturbParameterWeight = 0, IdentityWeight = 0, StylePriorWeight = 0, AlbedoRankWeight = 0,
        DepthSmoothnessWeight = 0,
    };

    /// <summary>A fresh lift of the world-fit test teacher and its trainer (no perceptual loss, no face embedding); disposes all three.</summary>
    internal sealed class Setup : IDisposable
    {
        readonly LiftedGan.StyleGan2.StyleGenerator _teacher = SupervisedTruthTests.WorldTeacher();

        public Setup(LiftingConfig config, IFaceEmbedding? embedding = null)
        {
            Model = new LiftedGenerator(_teacher, config);
            Trainer = new LiftingTrainer(Model, StyleStatistics.Compute(_teacher, config.StatisticsSamples, config.Seed), null, embedding);
        }

        public LiftedGenerator Model { get; }
        public LiftingTrainer Trainer { get; }

        public void Dispose()
        {
            Trainer.Dispose();
            Model.Dispose();
            _teacher.Dispose();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ThePerturbationBranchTrainsTheDecomposerOnlyWhenAsked(bool trainsDecomposer)
    {
        // Only the parameter cycle D(M(w, L', V')) = (L', V'), so every gradient comes from the perturbation branch.
        using var setup = new Setup(NoTerms with { PerturbParameterWeight = 4, PerturbTrainsDecomposer = trainsDecomposer });
        var (model, trainer) = (setup.Model, setup.Trainer);
        trainer.Step();
        Assert.True(HasGradient(model.Composer), "the cycle must train the composer");
        Assert.Equal(trainsDecomposer, HasGradient(model.Decomposer));
        Assert.All(model.Decomposer.TrainableParameters(), p => Assert.True(p.requires_grad, "the decomposer must stay trainable"));
    }

    [Fact]
    public void DepthFromSourceStyleReadsWEvenWhenTheNeutralStyleIsConstant()
    {
        using var model = Model(residual: false, sourceStyle: true);
        var (a, b, neutral, _) = TwoFaces(model);
        Assert.Equal(0.0, neutral.abs().max().item<float>(), 6);
        Assert.True((a - b).abs().max().item<float>() > 1e-4, "the decoder must see w, so different faces get different depth");
    }

    [Fact]
    public void StyleCycleTrainsOnlyTheComposerTowardsTheSourceStyle()
    {
        // Only the style self-cycle: M(w, D_L(w), D_V(w)) = w with D's outputs detached.
        using var setup = new Setup(NoTerms with { StyleCycleWeight = 1 });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var first = trainer.Step();
        Assert.True(first.ContainsKey("style_cycle"), "the term must be reported");
        Assert.True(HasGradient(model.Composer), "the cycle must train the composer");
        Assert.False(HasGradient(model.Decomposer), "the decomposer's light and view are detached");
        double last = first["style_cycle"];
        for (int i = 0; i < 20; i++) last = trainer.Step()["style_cycle"];
        Assert.True(last < first["style_cycle"], $"the cycle must fall ({first["style_cycle"]:F4} -> {last:F4})");
    }

    [Fact]
    public void MirrorTermTrainsComposerAndDecomposer()
    {
        // Only the mirror term: G(M(w, mirror L(w), mirror V(w))) against the flipped teacher image.
        using var setup = new Setup(NoTerms with { MirrorWeight = 1 });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var losses = trainer.Step();
        Assert.True(losses.ContainsKey("mirror") && double.IsFinite(losses["mirror"]) && losses["mirror"] > 0, "the term must be reported");
        Assert.True(HasGradient(model.Composer), "the mirror term must train the composer");
        Assert.True(HasGradient(model.Decomposer), "the mirror term must train the decomposer (its view and light are not detached)");
        Assert.False(HasGradient(model.DepthDecoder), "the mirror term does not involve the depth");
    }

    [Fact]
    public void StyleProximityPullsTheComposedStylesTowardsTheirSource()
    {
        using var setup = new Setup(NoTerms with { StyleProximityWeight = 1 });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var first = trainer.Step();
        Assert.True(first.ContainsKey("style_proximity") && first["style_proximity"] > 0, "the term must be reported");
        Assert.True(HasGradient(model.Composer), "the term must train the composer");
        Assert.False(HasGradient(model.DepthDecoder), "the term does not involve the depth");
        double last = first["style_proximity"];
        for (int i = 0; i < 20; i++) last = trainer.Step()["style_proximity"];
        Assert.True(last < 0.5 * first["style_proximity"], $"the distance must fall ({first["style_proximity"]:F4} -> {last:F4})");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CanonicalFrontalityTrainsOnlyTheComposerTowardsAFrontalReading(bool viewFromImage)
    {
        // Only the canonical frontality term: the view network's reading of G(M(w, L0, 0)) against view 0.
        using var setup = new Setup(NoTerms with { CanonicalFrontalWeight = 12, CyclePitchWeight = 9, CycleRollWeight = 9, ViewFromImage = viewFromImage });
        var (model, trainer) = (setup.Model, setup.Trainer);
        var first = trainer.Step();
        Assert.True(first.ContainsKey("canonical_frontal") && first["canonical_frontal"] > 0, "the term must be reported");
        Assert.True(HasGradient(model.Composer), "the term must train the composer");
        Assert.DoesNotContain(model.Decomposer.ViewParameters(), p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        if (model.ViewEncoder is not null) Assert.False(HasGradient(model.ViewEncoder), "the image view encoder's weights are held fixed");
        Assert.False(HasGradient(model.DepthDecoder), "the term does not involve the depth");
        double last = first["canonical_frontal"];
        for (int i = 0; i < 20; i++) last = trainer.Step()["canonical_frontal"];
        Assert.True(last < first["canonical_frontal"], $"the canonical view must move towards frontal ({first["canonical_frontal"]:F5} -> {last:F5})");
    }

    /// <summary>
    /// The canonical consistency terms alone: invariance (G(M(w', L0', 0)) against G(M(w, L0, 0)) for the sampled
    /// perturbation w') and the round trip (G(M(M(w, L0, 0), L, V)) against the teacher's image G(w)).
    /// </summary>
    [Theory]
    [InlineData("canonical_invariance")]
    [InlineData("canonical_roundtrip")]
    public void CanonicalConsistencyTermsTrainOnlyTheComposerAndFall(string term)
    {
        var config = term == "canonical_invariance" ? NoTerms with { CanonicalInvarianceWeight = 10 } : NoTerms with { CanonicalRoundTripWeight = 10 };
        using var setup = new Setup(config);
        var (model, trainer) = (setup.Model, setup.Trainer);
        var first = trainer.Step();
        Assert.True(first.ContainsKey(term) && first[term] > 0, "the term must be reported");
        Assert.True(HasGradient(model.Composer), "the term must train the composer");
        Assert.False(HasGradient(model.DepthDecoder), "the term does not involve the depth");
        double last = first[term];
        for (int i = 0; i < 20; i++) last = trainer.Step()[term];
        Assert.True(last < first[term], $"{term} must fall ({first[term]:F5} -> {last:F5})");
    }

    [Fact]
    public void SourceIdentityTrainsTheComposerThroughTheCanonicalImageOnlyForNearFrontalFaces()
    {
        int size = SupervisedTruthTests.Config.ImageSize;
        using var embedding = SeededInit.Apply(new IdentityEmbeddingNetwork(size, 4, 8), 3);
        embedding.eval();
        var before = embedding.parameters().Select(p => p.detach().clone()).ToList();
        using (var setup = new Setup(NoTerms with { SourceIdentityWeight = 1, IdentityMaxYaw = 90 }, embedding))
        {
            var losses = setup.Trainer.Step();
            Assert.True(losses.ContainsKey("source_identity") && losses["source_identity"] > 0, "the term must be reported");
            Assert.True(HasGradient(setup.Model.Composer), "the canonical image must pass the gradient to the composer");
            Assert.False(HasGradient(setup.Model.DepthDecoder), "the canonical image does not depend on the depth");
            Assert.All(embedding.parameters().Zip(before), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>(), "the embedding must not be trained"));
        }
        // No estimated yaw lies strictly inside ±0°, so no sample is selected and the term is left out.
        using (var none = new Setup(NoTerms with { SourceIdentityWeight = 1, IdentityMaxYaw = 0 }, embedding))
            Assert.False(none.Trainer.Step().ContainsKey("source_identity"));
    }
}
