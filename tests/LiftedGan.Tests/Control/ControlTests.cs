using LiftedGan.Control;
using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Control;

public class ControlTests
{
    /// <summary>A tiny run: 32 px, 16 channels, 4 noise dimensions, batch 4; random frozen estimator and embedding.</summary>
    static ControlConfig Tiny(ControlMethod method) => new()
    {
        Method = method, Size = 32, StyleDim = 32, NoiseDims = 4, MappingLayers = 2, Channels = 16, EncoderWidth = 8, Batch = 4,
        LearningRate = 5e-3, R1Every = 2, ContrastFrom = 0, BlendSteps = 0, Seed = 7,
    };

    static FaceAnalysis RandomAnalysis()
    {
        var estimator = SeededInit.Apply(new PoseDepthEstimator(32, 4), 3);
        estimator.eval();
        var embedding = SeededInit.Apply(new IdentityEmbeddingNetwork(32, 4, 16), 4);
        embedding.eval();
        foreach (var p in estimator.parameters().Concat(embedding.parameters())) p.requires_grad = false;
        return new FaceAnalysis(estimator, embedding);
    }

    [Fact]
    public void ExplicitValuesSetExactlyTheNamedParameterAndResamplingMovesOnlyItsFactor()
    {
        var code = ControlCode.Sample(3, 4, new torch.Generator(1));
        ControlCode.Set(code, "yaw", 30);
        ControlCode.Set(code, "smile", 0.8);
        ControlCode.Set(code, "mouth_open", 0.5);
        ControlCode.Set(code, "light_x", -0.6);
        var rows = ControlCode.Parameters(code);
        foreach (var r in rows)
        {
            Assert.Equal(30, r[(int)FaceParam.Yaw], 3);
            Assert.Equal(0.8, r[(int)FaceParam.Smile], 4);
            Assert.Equal(0.5, r[(int)FaceParam.MouthOpen], 4);
            Assert.Equal(-0.6, r[(int)FaceParam.LightX], 4);
        }
        Assert.Throws<ControlException>(() => ControlCode.Set(code, "yaw", 80));
        Assert.Throws<ControlException>(() => ControlCode.Set(code, "background_red0", 0.5));
        Assert.Throws<ControlException>(() => ControlCode.Set(code, "nose_size", 0.5));

        foreach (var factor in ControlCode.Controlled)
        {
            var edited = ControlCode.Parameters(ControlCode.Resample(code, factor, new torch.Generator(2)));
            for (int p = 0; p < FaceParameters.Count; p++)
            {
                var id = (FaceParam)p;
                bool moved = Enumerable.Range(0, 3).Any(i => edited[i][p] != rows[i][p]);
                if (ControlCode.FactorOf(id) != factor) Assert.False(moved, $"resampling {factor} moved {id}");
            }
        }
    }

    /// <summary>The shipped control model models/<paramref name="file"/> (skips when this clone lacks it), checked to be of <paramref name="method"/>.</summary>
    static ControlGenerator Shipped(string file, ControlMethod method)
    {
        var path = Path.Combine(Shared.RepoRoot, "models", file);
        Skip.IfNot(File.Exists(path), $"models/{file} is not in this clone");
        var g = ControlModel.Load(path);
        Assert.Equal(method, g.Config.Method);
        return g;
    }

    [SkippableFact]
    public void TheShippedTaxfreeModelDrawsTheFaceModelsRenderOfItsCode()
    {
        using var g = Shipped("control_taxfree64.pt", ControlMethod.TaxFree);
        var code = ControlCode.Sample(4, g.Config.NoiseDims, new torch.Generator(12));
        ControlCode.Set(code, "yaw", 30);
        ControlCode.Set(code, "smile", 1);
        using var render = ControlCode.Render(code, g.Config.Size);
        using var x = g.Generate(code, render);
        // Trained to a whole-image L1 of about 0.0075 on its codes; an edited code is drawn as its render is (the mean image is ~0.3 away).
        double l1 = (x - render.Images).abs().mean().item<float>();
        Assert.True(l1 < 0.05, $"L1 to the render {l1:F3}");
        using var other = ControlCode.Render(ControlCode.Sample(4, g.Config.NoiseDims, new torch.Generator(13)), g.Config.Size);
        Assert.True((x - other.Images).abs().mean().item<float>() > 4 * l1, "another code's render must be much further away");
    }

    [SkippableFact]
    public void TheShippedDiscoModelTurnsAFaceAsItsCodeAsks()
    {
        using var g = Shipped("control_disco64.pt", ControlMethod.Disco);
        var left = ControlCode.Sample(4, g.Config.NoiseDims, new torch.Generator(12));
        ControlCode.Set(left, "yaw", -30);
        var right = left.clone();
        ControlCode.Set(right, "yaw", 30);
        using var renderLeft = ControlCode.Render(left, g.Config.Size);
        using var renderRight = ControlCode.Render(right, g.Config.Size);
        using var x = g.Generate(left);
        using var y = g.Generate(right);
        double Distance(torch.Tensor a, torch.Tensor b) => (a - b).abs().mean().item<float>();
        // Trained to a whole-image L1 of about 0.066 on its codes; each yaw is drawn nearer its own render than the other's.
        Assert.True(Distance(x, renderLeft.Images) < 0.1 && Distance(y, renderRight.Images) < 0.1,
            $"L1 to the renders {Distance(x, renderLeft.Images):F3}, {Distance(y, renderRight.Images):F3}");
        Assert.True(Distance(x, renderRight.Images) > 1.5 * Distance(x, renderLeft.Images), "−30° must be drawn as −30°, not +30°");
        Assert.True(Distance(y, renderLeft.Images) > 1.5 * Distance(y, renderRight.Images), "+30° must be drawn as +30°, not −30°");
    }

    [SkippableFact]
    public void AFactorEditOfTheRenderMovesThatFactorsEstimateMostWithTheShippedEstimator()
    {
        var path = Path.Combine(Shared.RepoRoot, "models", "estimator_faces64.pt");
        Skip.IfNot(File.Exists(path), "models/estimator_faces64.pt is not in this clone");
        using var estimator = PoseDepthTraining.Load(path);
        var analysis = new FaceAnalysis(estimator, null);
        var code = ControlCode.Sample(8, 4, new torch.Generator(5));
        ControlCode.Set(code, "yaw", -25);
        ControlCode.Set(code, "pitch", 0);
        var turned = code.clone();
        ControlCode.Set(turned, "yaw", 25);
        using var a = ControlCode.Render(code, 64);
        using var b = ControlCode.Render(turned, 64);
        using var ra = analysis.Read(a.Images);
        using var rb = analysis.Read(b.Images);
        var delta = (rb.Angles - ra.Angles).abs().mean(new long[] { 0 });
        double yaw = delta[1].item<float>(), pitch = delta[0].item<float>(), roll = delta[2].item<float>();
        Assert.True(yaw > 25, $"a 50° yaw edit moved the estimated yaw by {yaw:F1}°");
        Assert.True(yaw > 4 * pitch && yaw > 4 * roll, $"yaw {yaw:F1}°, pitch {pitch:F1}°, roll {roll:F1}°");

        // A light edit moves the fitted light direction and leaves the estimated pose (nearly) alone.
        var lit = code.clone();
        ControlCode.Set(code, "light_x", -0.8);
        ControlCode.Set(lit, "light_x", 0.8);
        using var c = ControlCode.Render(code, 64);
        using var d = ControlCode.Render(lit, 64);
        using var rc = analysis.Read(c.Images);
        using var rd = analysis.Read(d.Images);
        double light = (rd.Light - rc.Light).norm(1).mean().item<float>();               // unit vectors: up to 2
        double pose = ((rd.Angles - rc.Angles).abs().mean() / 45).item<float>();         // in units of the yaw half-range
        Assert.True(light > 4 * pose, $"light moved {light:F3}, pose {pose:F3}");
    }

    [Fact]
    public void BothGeneratorsDependOnTheirInputsAndTheInjectionReachesTheImage()
    {
        using var disco = new ControlGenerator(Tiny(ControlMethod.Disco));
        using var tax = new ControlGenerator(Tiny(ControlMethod.TaxFree));
        using var noGrad = no_grad();
        var code = ControlCode.Sample(2, 4, new torch.Generator(3));
        var other = ControlCode.Resample(code, ControlFactor.Pose, new torch.Generator(4));
        Assert.Equal(new long[] { 2, 3, 32, 32 }, disco.Generate(code).shape);
        Assert.True((disco.Generate(code) - disco.Generate(other)).abs().max().item<float>() > 1e-4);
        // Tax-free: the pose enters only through the render, so a different pose means the injection changed the image.
        Assert.True((tax.Generate(code) - tax.Generate(other)).abs().max().item<float>() > 1e-6);
        Assert.Equal(0, (tax.Generate(code) - tax.Generate(code)).abs().max().item<float>());
        Assert.Throws<ControlException>(() => disco.Generate(ControlCode.Sample(1, 5, new torch.Generator(1))));
        Assert.Throws<ControlException>(() => new ControlGenerator(Tiny(ControlMethod.Disco) with { Size = 48 }));
    }

    /// <summary>Mean |x − render| on the render's foreground for a fixed batch (the pixel imitative distance).</summary>
    static double HeldOutPixel(ControlGenerator g, Tensor code, FaceBatch render)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = g.Generate(code, render);
        var m = render.RenderedMask.unsqueeze(1);
        return (((x - render.Images).abs() * m).sum() / (m.sum() * 3)).item<float>();
    }

    static double HeldOutConsistency(ControlGenerator g, Tensor code, FaceBatch render, FaceAnalysis analysis)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return ControlLosses.Consistency(g.Generate(code, render), render, analysis, 1).item<float>();
    }

    [Theory]
    [InlineData(ControlMethod.Disco)]
    [InlineData(ControlMethod.TaxFree)]
    public void LossesAreFiniteAndFallOverAFewSteps(ControlMethod method)
    {
        var analysis = RandomAnalysis();
        using var trainer = new ControlTrainer(Tiny(method), analysis);
        var code = ControlCode.Sample(4, 4, new torch.Generator(99));
        using var render = ControlCode.Render(code, 32);
        double before = method == ControlMethod.Disco ? HeldOutPixel(trainer.Generator, code, render) : HeldOutConsistency(trainer.Generator, code, render, analysis);
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            for (int i = 0; i < 12; i++)
            {
                var s = trainer.TrainStep();
                Assert.All(s.Values, v => Assert.True(double.IsFinite(v)));
                Assert.Contains(method == ControlMethod.Disco ? "loss/contrast_expression" : "loss/consistency", s.Keys);
            }
        }
        finally { set_num_threads(threads); }
        double after = method == ControlMethod.Disco ? HeldOutPixel(trainer.Generator, code, render) : HeldOutConsistency(trainer.Generator, code, render, analysis);
        Assert.True(after < 0.9 * before, $"{method}: held-out {(method == ControlMethod.Disco ? "pixel" : "consistency")} loss {before:F4} → {after:F4}");
    }

    [Fact]
    public void TheRenderWarmStartTrainsOnlyTheGeneratorOnThePixelTermAndThenTheWholeObjectiveStarts()
    {
        var analysis = RandomAnalysis();
        var config = Tiny(ControlMethod.Disco) with { RenderWarmupSteps = 2, PixelRegion = PixelRegion.Image, MappingLrMultiplier = 1, Beta1 = 0.9 };
        using var trainer = new ControlTrainer(config, analysis);
        var before = trainer.Discriminator.parameters().Select(p => p.detach().clone()).ToList();
        var mapping = trainer.Generator.named_parameters().First(p => p.name.StartsWith("mapping.", StringComparison.Ordinal)).parameter.detach().clone();
        for (int i = 0; i < 2; i++)
        {
            var s = trainer.TrainStep();
            Assert.Equal(new[] { "loss/g", "loss/warmup_pixel" }, s.Keys.Order());
            Assert.Equal(s["loss/g"], s["loss/warmup_pixel"]);
        }
        Assert.All(trainer.Discriminator.parameters().Zip(before), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
        Assert.False(trainer.Generator.named_parameters().First(p => p.name.StartsWith("mapping.", StringComparison.Ordinal)).parameter.equal(mapping).all().item<bool>());
        var third = trainer.TrainStep();
        Assert.Contains("loss/d", third.Keys);
        Assert.Contains("loss/g_adv", third.Keys);
        Assert.Contains("loss/imitative_pose", third.Keys);
        Assert.Contains("loss/contrast_light", third.Keys);
        Assert.False(trainer.Discriminator.parameters().Zip(before).All(pair => pair.First.equal(pair.Second).all().item<bool>()));

        // The whole-image pixel term is the plain mean L1; the face term counts the render's foreground only.
        var code = ControlCode.Sample(2, 4, new torch.Generator(5));
        using var render = ControlCode.Render(code, 32);
        using var x = zeros_like(render.Images);
        var whole = ControlLosses.Imitative(x, render, analysis, PixelRegion.Image)["pixel"].item<float>();
        var face = ControlLosses.Imitative(x, render, analysis, PixelRegion.Face)["pixel"].item<float>();
        Assert.Equal(face, ControlLosses.Pixel(x, render, PixelRegion.Face).item<float>());
        Assert.Equal(render.Images.abs().mean().item<float>(), whole, 5);
        var m = render.RenderedMask.unsqueeze(1);
        Assert.Equal(((render.Images.abs() * m).sum() / (m.sum() * 3)).item<float>(), face, 5);
        Assert.NotEqual(whole, face, 3);

        // The colour term is a per-image L1 of mean colours averaged over the batch: the same images twice score the same.
        var colour = ControlLosses.Imitative(x, render, analysis)["colour"].item<float>();
        var twice = ControlCode.Render(cat(new[] { code, code }, 0), 32);
        var colourTwice = ControlLosses.Imitative(zeros_like(twice.Images), twice, analysis)["colour"].item<float>();
        twice.Dispose();
        Assert.Equal(colour, colourTwice, 4);
        Assert.True(colour > 0);
    }

    [Fact]
    public void TheExpressionTermAsksForTheRendersChangeAndIsOffByDefault()
    {
        // Codes that differ only in expression: their renders differ on a small part of the image (mouth, brows).
        var code = ControlCode.Sample(4, 4, new torch.Generator(11));
        var edited = ControlCode.Resample(code, ControlFactor.Expression, new torch.Generator(12));
        using var render = ControlCode.Render(code, 32);
        using var editedRender = ControlCode.Render(edited, 32);
        using var region = ControlLosses.ChangedRegion(render.Images, editedRender.Images);
        Assert.Equal(new long[] { 4, 1, 32, 32 }, region.shape);
        var changed = (render.Images - editedRender.Images).abs().amax(new long[] { 1 }, keepdim: true).gt(0.05);
        Assert.True(changed.any().item<bool>(), "an expression edit changed no pixel");
        Assert.False((changed & region.lt(0.5)).any().item<bool>(), "a changed pixel outside the region");
        Assert.InRange(region.mean().item<float>(), 0.003, 0.3);

        // The renders themselves score 0; a generator that ignores expression scores the renders' mean squared change on
        // the region; one that draws twice the change scores the same; one that draws it shifted pays for the shift everywhere.
        Assert.Equal(0, ControlLosses.ExpressionDifference(render.Images, editedRender.Images, render, editedRender).item<float>(), 6);
        var delta = render.Images - editedRender.Images;
        var ignoring = (delta.square().sum() / (region.sum() * 3)).item<float>();
        Assert.True(ignoring > 0.001);
        Assert.Equal(ignoring, ControlLosses.ExpressionDifference(render.Images, render.Images, render, editedRender).item<float>(), 5);
        Assert.Equal(ignoring, ControlLosses.ExpressionDifference(render.Images + delta, editedRender.Images, render, editedRender).item<float>(), 5);
        var shifted = ControlLosses.ExpressionDifference(render.Images + 0.1, editedRender.Images, render, editedRender).item<float>();
        Assert.Equal(0.01 / region.mean().item<float>(), shifted, 3);

        // Off by default; with a weight it is trained in the warm start (weighed expression / pixel) and after it.
        var analysis = RandomAnalysis();
        var plain = Tiny(ControlMethod.Disco) with { RenderWarmupSteps = 1, PixelRegion = PixelRegion.Image };
        Assert.Equal(0, plain.ExpressionWeight);
        var config = plain.WithWeight("expression", 40);
        Assert.Equal(40, plain.WithObjectiveOf(config).ExpressionWeight);
        Assert.Throws<ControlException>(() => (config with { PixelWeight = 0 }).Validate());
        using var trainer = new ControlTrainer(config, analysis);
        var warm = trainer.TrainStep();
        Assert.Equal(new[] { "loss/g", "loss/warmup_expression", "loss/warmup_pixel" }, warm.Keys.Order());
        Assert.Equal(warm["loss/warmup_pixel"] + 40 / config.PixelWeight * warm["loss/warmup_expression"], warm["loss/g"], 4);
        Assert.True(warm["loss/warmup_expression"] > 0);
        var full = trainer.TrainStep();
        Assert.True(full["loss/imitative_expression"] > 0 && double.IsFinite(full["loss/g"]));
    }

    [Fact]
    public void TheBalancedExpressionTermWeighsEveryExpressionParameterAlike()
    {
        // Pairs in turn: sample i redraws expression dimension i mod 3 and nothing else.
        var code = ControlCode.Sample(6, 4, new torch.Generator(13));
        var edited = ControlCode.ResampleExpressionInTurn(code, new torch.Generator(14));
        var (start, length) = ControlCode.Dimensions(ControlFactor.Expression, 4)[0];
        Assert.Equal(3, length);
        using (var changed = (edited - code).abs().gt(0))
            for (int i = 0; i < 6; i++)
                for (int d = 0; d < code.shape[1]; d++)
                    Assert.Equal(d == start + i % 3, changed[i, d].item<bool>());

        using var render = ControlCode.Render(code, 32);
        using var editedRender = ControlCode.Render(edited, 32);
        var delta = render.Images - editedRender.Images;
        var energy = delta.square().mean(new long[] { 1, 2, 3 });
        var pairs = Enumerable.Range(0, 3).Select(k => energy.index_select(0, torch.tensor(new long[] { k, k + 3 })).sum().item<float>()).ToArray();
        Assert.True(pairs.Count(e => e > 2 * 2 * ControlLosses.EnergyFloor) >= 2, "fewer than two parameters' pairs changed above the floor");

        // The renders score 0; a generator that ignores expression scores 1 whatever each parameter's pixel change (as long
        // as its pairs changed more than the floor); one that draws only the change of the samples of parameter k scores
        // (number of the other parameters whose pairs changed) / 3.
        // At one scale exactly; at the default three (the changes also average-pooled by 2 and 4) between those bounds.
        double Expected(Func<int, bool> drawn) => Enumerable.Range(0, 3).Sum(k => drawn(k) ? 0 : pairs[k] / Math.Max(pairs[k], 2 * ControlLosses.EnergyFloor)) / 3;
        using var onlyK = torch.tensor(new float[] { 0, 1, 0, 0, 1, 0 }).view(6, 1, 1, 1);
        var onlyMouthImage = render.Images - delta * onlyK;
        Assert.Equal(0, ControlLosses.ExpressionBalanced(render.Images, editedRender.Images, render, editedRender, scales: 1).item<float>(), 6);
        Assert.Equal(Expected(_ => false), ControlLosses.ExpressionBalanced(render.Images, render.Images, render, editedRender, scales: 1).item<float>(), 4);
        Assert.Equal(Expected(k => k == 1), ControlLosses.ExpressionBalanced(render.Images, onlyMouthImage, render, editedRender, scales: 1).item<float>(), 4);
        Assert.Equal(0, ControlLosses.ExpressionBalanced(render.Images, editedRender.Images, render, editedRender).item<float>(), 6);
        var ignoring = ControlLosses.ExpressionBalanced(render.Images, render.Images, render, editedRender).item<float>();
        var onlyMouth = ControlLosses.ExpressionBalanced(render.Images, onlyMouthImage, render, editedRender).item<float>();
        Assert.InRange(ignoring, 0.5, 1.0001);
        Assert.InRange(onlyMouth, 0.2, ignoring - 0.2);
        // A blurred drawing of the change (its 2 x 2 means, repeated) is charged at full resolution only.
        var blurred = nn.functional.interpolate(nn.functional.avg_pool2d(delta, 2), scale_factor: new double[] { 2, 2 }, mode: InterpolationMode.Nearest);
        var coarse = ControlLosses.ExpressionBalanced(render.Images, render.Images - blurred, render, editedRender).item<float>();
        var fine = ControlLosses.ExpressionBalanced(render.Images, render.Images - blurred, render, editedRender, scales: 1).item<float>();
        Assert.True(coarse < fine * 0.5, $"a blurred but right change scored {coarse} at three scales, {fine} at full resolution");

        // Off by default; with a weight it is trained in the warm start (weighed by expression_balanced / pixel) and after it.
        var analysis = RandomAnalysis();
        var plain = Tiny(ControlMethod.Disco) with { RenderWarmupSteps = 1, PixelRegion = PixelRegion.Image };
        Assert.Equal(0, plain.ExpressionBalancedWeight);
        var config = plain.WithWeight("expression_balanced", 2);
        Assert.Equal(2, plain.WithObjectiveOf(config).ExpressionBalancedWeight);
        Assert.Throws<ControlException>(() => (config with { PixelWeight = 0 }).Validate());
        Assert.Throws<ControlException>(() => (config with { ExpressionBalancedWeight = -1 }).Validate());
        using (var trainer = new ControlTrainer(config, analysis))
        {
            var warm = trainer.TrainStep();
            Assert.Equal(new[] { "loss/g", "loss/warmup_expression_balanced", "loss/warmup_pixel" }, warm.Keys.Order());
            Assert.Equal(warm["loss/warmup_pixel"] + 2 / config.PixelWeight * warm["loss/warmup_expression_balanced"], warm["loss/g"], 4);
            Assert.True(warm["loss/warmup_expression_balanced"] > 0);
            var full = trainer.TrainStep();
            Assert.True(full["loss/imitative_expression_balanced"] > 0 && double.IsFinite(full["loss/g"]));
        }
        using (var trainer = new ControlTrainer(Tiny(ControlMethod.TaxFree).WithWeight("expression_balanced", 2), analysis))
        {
            var s = trainer.TrainStep();
            Assert.True(s["loss/expression_balanced"] > 0 && double.IsFinite(s["loss/g"]));
        }
    }

    [Fact]
    public void TaxfreesRenderTermsAreOffByDefaultAndDoWhatTheySay()
    {
        var analysis = RandomAnalysis();
        var paper = Tiny(ControlMethod.TaxFree) with { PixelRegion = PixelRegion.Image };
        Assert.Equal(0, paper.RenderFidelityWeight);
        using (var trainer = new ControlTrainer(paper, analysis))
        {
            var s = trainer.TrainStep();
            Assert.DoesNotContain("loss/render_fidelity", s.Keys);
            Assert.Equal(s["loss/g_adv"] + paper.ConsistencyWeight * s["loss/consistency"], s["loss/g"], 4);
        }
        var weighted = paper.WithWeight("render", 7);
        Assert.Equal(7, weighted.RenderFidelityWeight);
        Assert.Equal(7, paper.WithObjectiveOf(weighted).RenderFidelityWeight);
        using (var trainer = new ControlTrainer(weighted, analysis))
        {
            var s = trainer.TrainStep();
            Assert.True(s["loss/render_fidelity"] > 0);
            Assert.Equal(s["loss/g_adv"] + weighted.ConsistencyWeight * s["loss/consistency"] + 7 * s["loss/render_fidelity"], s["loss/g"], 4);
        }

        // The consistency target: the render itself scores 0 against its own reading, and more against the code's values.
        var code = ControlCode.Sample(3, 4, new torch.Generator(8));
        using var render = ControlCode.Render(code, 32);
        Assert.Equal(0, ControlLosses.Consistency(render.Images, render, analysis, 1, ConsistencyTarget.Render).item<float>());
        Assert.True(ControlLosses.Consistency(render.Images, render, analysis, 1, ConsistencyTarget.Code).item<float>() > 0);
        Assert.Equal(ConsistencyTarget.Code, paper.ConsistencyTarget);
        Assert.Equal(ConsistencyTarget.Render, paper.WithObjectiveOf(paper with { ConsistencyTarget = ConsistencyTarget.Render }).ConsistencyTarget);
    }

    [Fact]
    public void AControlCheckpointPacksWithoutDiscriminatorAndOptimisersAndGeneratesTheSame()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-control").FullName;
        try
        {
            string full = Path.Combine(dir, "checkpoint", "000001.pt"), packed = Path.Combine(dir, "out", "control.pt"), half = Path.Combine(dir, "out", "control16.pt");
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using (var trainer = new ControlTrainer(Tiny(ControlMethod.TaxFree), RandomAnalysis()))
            {
                trainer.TrainStep();
                trainer.Save(full);
            }
            var r = LiftedGan.Packing.ModelPacker.Pack(full, packed, half: false);
            Assert.Equal(LiftedGan.Packing.PackedModelKind.Control, r.Kind);
            Assert.True(r.OutputBytes < r.InputBytes / 2, $"packed {r.OutputBytes} B of {r.InputBytes} B: the discriminator and Adam states should be gone");
            LiftedGan.Packing.ModelPacker.Pack(full, half, half: true);
            var code = ControlCode.Sample(2, 4, new torch.Generator(6));
            using var render = ControlCode.Render(code, 32);
            using var a = ControlModel.Load(full);
            using var b = ControlModel.Load(packed);
            using var c = ControlModel.Load(half);
            using var xa = a.Generate(code, render);
            using var xb = b.Generate(code, render);
            using var xc = c.Generate(code, render);
            Assert.True(xa.equal(xb).all().item<bool>(), "a float32 pack must generate bitwise the same");
            Assert.True((xa - xc).abs().max().item<float>() < 0.05, "a float16 pack must generate nearly the same");
            Assert.Equal(a.Config, c.Config);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DsRowsOfSameNamedCheckpointsFromSeveralRunsNameTheirRun()
    {
        string a = Path.Combine("runs", "tf2", "checkpoint", "004000.pt"), b = Path.Combine("runs", "tf3", "checkpoint", "004000.pt");
        string c = Path.Combine("models", "control_taxfree64.pt");
        string[] all = [a, b, c];
        Assert.Equal("tf2 004000", LiftedGan.Cli.Commands.EvalCommandsStudy.ControlRowStem(a, all));
        Assert.Equal("tf3 004000", LiftedGan.Cli.Commands.EvalCommandsStudy.ControlRowStem(b, all));
        Assert.Equal("control_taxfree64", LiftedGan.Cli.Commands.EvalCommandsStudy.ControlRowStem(c, all));
        Assert.Equal("004000", LiftedGan.Cli.Commands.EvalCommandsStudy.ControlRowStem(a, [a, c]));
    }

    [Fact]
    public void TheEstimatorRampGrowsFromTheEndOfTheWarmStartAndWeightsAreNamed()
    {
        var config = Tiny(ControlMethod.Disco) with { RenderWarmupSteps = 10, EstimatorRampSteps = 4 };
        Assert.Equal(0, config.EstimatorRamp(10));
        Assert.Equal(0.25, config.EstimatorRamp(11));
        Assert.Equal(1, config.EstimatorRamp(14));
        Assert.Equal(1, config.EstimatorRamp(100));
        Assert.Equal(1, (config with { EstimatorRampSteps = 0 }).EstimatorRamp(1));
        foreach (var name in ControlConfig.WeightNames) Assert.NotEqual(config, config.WithWeight(name, 123));
        Assert.Throws<ArgumentException>(() => config.WithWeight("speckle", 1));
        Assert.Equal(config, config.WithObjectiveOf(config.WithWeight("pixel", 3)).WithWeight("pixel", config.PixelWeight));
    }

    [Fact]
    public void AResumedRunEqualsAnUninterruptedOne()
    {
        var analysis = RandomAnalysis();
        var dir = Directory.CreateTempSubdirectory("control-resume").FullName;
        try
        {
            var config = Tiny(ControlMethod.Disco);
            using var straight = new ControlTrainer(config, analysis);
            var last = new List<IReadOnlyDictionary<string, double>>();
            for (int i = 0; i < 3; i++) last.Add(straight.TrainStep());
            using (var first = new ControlTrainer(config, analysis))
            {
                first.TrainStep();
                first.TrainStep();
                first.Save(Path.Combine(dir, "c.pt"));
            }
            using var resumed = ControlTrainer.Resume(Path.Combine(dir, "c.pt"), config, analysis);
            Assert.Equal(2, resumed.Step);
            var third = resumed.TrainStep();
            Assert.Equal(last[2]["loss/g"], third["loss/g"]);
            var a = straight.Generator.state_dict();
            var b = resumed.Generator.state_dict();
            foreach (var (k, v) in a) Assert.True(v.equal(b[k]).all().item<bool>(), $"{k} differs after resume");
            Assert.Throws<ControlException>(() => ControlTrainer.Resume(Path.Combine(dir, "c.pt"), config with { Batch = 6 }, analysis));

            // The objective may change on resume (a second stage): the run goes on with the new weights and saves them.
            var stage2 = config.WithWeight("pose", 0).WithWeight("light_contrast", 0.5) with { EstimatorRampSteps = 4, ContrastFrom = 3, LearningRate = 3 * config.LearningRate };
            using (var changed = ControlTrainer.Resume(Path.Combine(dir, "c.pt"), stage2, analysis))
            {
                Assert.Equal(stage2, changed.Config);
                var s = changed.TrainStep();
                Assert.Equal(0.75, s["estimator_ramp"], 12);
                Assert.DoesNotContain("loss/contrast_light", s.Keys);
                changed.Save(Path.Combine(dir, "c2.pt"));
            }
            using (var loaded2 = ControlModel.Load(Path.Combine(dir, "c2.pt"))) Assert.Equal(stage2, loaded2.Config);
            Assert.Throws<ControlException>(() => ControlTrainer.Resume(Path.Combine(dir, "c.pt"), stage2 with { Channels = 8 }, analysis));
            using var loaded = ControlModel.Load(Path.Combine(dir, "c.pt"));
            Assert.Equal(config, loaded.Config);
            File.WriteAllText(Path.Combine(dir, "bad.pt"), "not a checkpoint");
            Assert.ThrowsAny<LiftedGanException>(() => ControlModel.Load(Path.Combine(dir, "bad.pt")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ASecondStageStartsFromAnotherRunsGeneratorWithAFreshDiscriminatorAndStep()
    {
        var analysis = RandomAnalysis();
        var dir = Directory.CreateTempSubdirectory("control-init").FullName;
        try
        {
            var config = Tiny(ControlMethod.TaxFree) with { RenderWarmupSteps = 2 };
            string trained = Path.Combine(dir, "stage1.pt"), packed = Path.Combine(dir, "packed.pt");
            using (var first = new ControlTrainer(config, analysis))
            {
                first.TrainStep();
                first.TrainStep();
                first.Save(trained);
                TorchCheckpoint.Save(packed, ControlModel.ToCheckpoint(first.Generator)); // generator and config only, as pack keeps
            }
            var stage2 = config.WithWeight("render", 5).WithWeight("expression", 10) with { RenderWarmupSteps = 0, LearningRate = 2e-3 };
            using var fresh = new ControlTrainer(stage2, analysis);
            using var stage1 = ControlModel.Load(trained);
            foreach (var file in new[] { trained, packed })
            {
                using var started = ControlTrainer.StartFrom(file, stage2, analysis);
                Assert.Equal(0, started.Step);
                Assert.Equal(stage2, started.Config);
                Assert.StartsWith(Path.GetFileName(file) + " sha256:", started.InitialisedFrom);
                var g1 = stage1.state_dict();
                foreach (var (k, v) in started.Generator.state_dict()) Assert.True(v.equal(g1[k]).all().item<bool>(), $"{k} not taken from {file}");
                var d0 = fresh.Discriminator.state_dict();
                foreach (var (k, v) in started.Discriminator.state_dict()) Assert.True(v.equal(d0[k]).all().item<bool>(), $"discriminator {k} not fresh");
                // The new objective runs from the first step (no warm start): adversarial, render and expression terms.
                var s = started.TrainStep();
                Assert.Contains("loss/d", s.Keys);
                Assert.Contains("loss/render_fidelity", s.Keys);
                Assert.True(double.IsFinite(s["loss/expression"]) && s["loss/expression"] >= 0);
                started.Save(Path.Combine(dir, "stage2.pt"));
                using var resumed = ControlTrainer.Resume(Path.Combine(dir, "stage2.pt"), stage2, analysis);
                Assert.Equal(1, resumed.Step);
                Assert.Equal(started.InitialisedFrom, resumed.InitialisedFrom);
            }
            // Structure must match; a missing file is named.
            var wider = Assert.Throws<ControlException>(() => ControlTrainer.StartFrom(packed, stage2 with { Channels = 8 }, analysis));
            Assert.Contains("packed.pt", wider.Message);
            Assert.Throws<ControlException>(() => ControlTrainer.StartFrom(Path.Combine(dir, "missing.pt"), stage2, analysis));
            // A run folder that already holds a checkpoint is resumed; the start file is then ignored.
            var run = Path.Combine(dir, "run");
            using (var opened = ControlRun.Open(stage2, analysis, run, packed)) ControlRun.Run(opened, run, 1, 1, 0);
            using (var reopened = ControlRun.Open(stage2, analysis, run, Path.Combine(dir, "missing.pt")))
            {
                Assert.Equal(1, reopened.Step);
                Assert.StartsWith("packed.pt sha256:", reopened.InitialisedFrom);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AControlCheckpointIsAnImageSourceOfPriorCodeSamples()
    {
        var dir = Directory.CreateTempSubdirectory("control-fid").FullName;
        try
        {
            foreach (var method in new[] { ControlMethod.Disco, ControlMethod.TaxFree })
            {
                var file = Path.Combine(dir, $"{method}.pt");
                using (var g = new ControlGenerator(Tiny(method))) TorchCheckpoint.Save(file, ControlModel.ToCheckpoint(g));
                using var source = new ControlImageSource(file);
                Assert.StartsWith("control:" + Path.GetFullPath(file) + " (sha256 ", source.Describe());
                Assert.Equal(32, source.Resolution);
                using var a = source.Next(3, new torch.Generator(5));
                using var b = source.Next(3, new torch.Generator(5));
                Assert.Equal(new long[] { 3, 3, 32, 32 }, a.shape);
                Assert.True(a.equal(b).all().item<bool>(), "the same seed draws the same codes");
                Assert.True(a.abs().max().item<float>() <= 1);
            }
            var missing = Assert.Throws<ControlException>(() => new ControlImageSource(Path.Combine(dir, "none.pt")));
            Assert.Contains("none.pt", missing.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void WithTheRenderTargetTheRenderItselfMeetsDiscosImitativePoseAndLightTerms()
    {
        var analysis = RandomAnalysis();
        var code = ControlCode.Sample(4, 4, new torch.Generator(3));
        using var render = ControlCode.Render(code, 32);
        var byCode = ControlLosses.Imitative(render.Images, render, analysis, PixelRegion.Image);
        var byRender = ControlLosses.Imitative(render.Images, render, analysis, PixelRegion.Image, ConsistencyTarget.Render);
        Assert.True(byCode["pose"].item<float>() > 1e-3 && byCode["light"].item<float>() > 1e-3, "a random estimator misreads the renders");
        Assert.Equal(0, byRender["pose"].item<float>(), 6);
        Assert.Equal(0, byRender["light"].item<float>(), 6);
        Assert.Equal(byCode["identity"].item<float>(), byRender["identity"].item<float>());
        // The image still receives the terms' gradient.
        var x = (render.Images + 0.1 * randn(render.Images.shape, generator: new torch.Generator(4))).detach().requires_grad_(true);
        var pose = ControlLosses.Imitative(x, render, analysis, PixelRegion.Image, ConsistencyTarget.Render)["pose"];
        pose.backward();
        Assert.True(pose.item<float>() > 0 && x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void TaxFreesExpressionTermIsOffUnlessWeighted()
    {
        var analysis = RandomAnalysis();
        using (var plain = new ControlTrainer(Tiny(ControlMethod.TaxFree), analysis))
            Assert.DoesNotContain("loss/expression", plain.TrainStep().Keys);
        using var weighted = new ControlTrainer(Tiny(ControlMethod.TaxFree).WithWeight("expression", 50), analysis);
        var s = weighted.TrainStep();
        Assert.True(s["loss/expression"] > 0, "a random generator's images do not change as the renders do under an expression edit");
        Assert.True(s["loss/g"] > s["loss/g_adv"] + s["loss/consistency"] * weighted.Config.ConsistencyWeight, "the weighted term is part of G's loss");
    }

    [Fact]
    public void AControlGeneratorGetsAFiniteTable1DisentanglementScore()
    {
        var analysis = RandomAnalysis();
        using var g = new ControlGenerator(Tiny(ControlMethod.Disco));
        using var expression = SeededInit.Apply(new ExpressionEstimator(32, 4), 5);
        expression.eval();
        var o = new DisentanglementOptions { Groups = 3, PerGroup = 2, ReferenceCount = 6, Batch = 8, Seed = 2 };
        var r = ControlCodeGroups.Measure(ControlCodeGroups.ForGenerator(g, o.Seed), analysis.Estimator, analysis.Embedding, expression, o);
        Assert.Equal(new[] { "identity", "expression", "light", "pose" }, r.Factors);
        Assert.All(r.Scores, d => Assert.True(double.IsFinite(d) && d > 0, $"{d}"));
        Assert.Empty(r.Exact);
    }
}
