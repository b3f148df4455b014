using LiftedGan.Baselines.Gan2Shape;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Baselines;

/// <summary>The ellipsoid prior, the mapping-regularised projection and the pseudo samples of GAN2Shape.</summary>
public class Gan2ShapePartsTests
{
    [Fact]
    public void TheEllipsoidIsNearAtTheBoxCentreFarAtItsRimAndOutside()
    {
        var box = new PixelBox(Top: 4, Bottom: 59, Left: 12, Right: 51);  // 39 wide, 55 high (max − min), centred on (31.5, 31.5)
        using var depth = EllipsoidPrior.DepthMap(64, box, 0.91, 1.02, 0.4);
        Assert.Equal([64L, 64], depth.shape);
        Assert.InRange(depth.min().item<float>(), 0.9099, 0.9105);
        Assert.Equal(1.02f, depth.max().item<float>(), 5);
        Assert.Equal(1.02f, depth[0, 0].item<float>(), 5);
        Assert.Equal(1.02f, depth[32, 5].item<float>(), 5);  // left of the box
        // Left-right symmetric about the box centre; taller than wide (ratio 55/40) on the centre column.
        Assert.True((depth - depth.flip(1)).abs().max().item<float>() < 1e-5);
        long across = depth[32].lt(1.0199f).sum().item<long>(), down = depth[.., 31].lt(1.0199f).sum().item<long>();
        Assert.True(down > across, $"{down} rows vs {across} columns inside the cap");
        // One pixel by the formula: row 32 is rescaled about the image centre, distance to the box centre (31.5, 31.5).
        double ratio = 55.0 / 39, r = 19.5, row = (32 - 32) / ratio + 32, dist = Math.Sqrt(Math.Pow(40 - 31.5, 2) + Math.Pow(row - 31.5, 2));
        double t = dist / r * Math.Sqrt(0.16 - Math.Pow(0.4 - 0.11, 2));
        Assert.Equal(0.4 - Math.Sqrt(0.16 - t * t) + 0.91, depth[32, 40].item<float>(), 5);
    }

    [Fact]
    public void TheBoxComesFromTheMaskAndTheFaceAdjustment()
    {
        using var mask = zeros(32, 32);
        mask[10..21, 5..31] = tensor(0.8f);
        mask[0, 0] = tensor(0.5f);  // below the 0.7 threshold
        var box = PixelBox.FromMask(mask);
        Assert.Equal(new PixelBox(10, 20, 5, 30), box);
        var face = box.FaceAdjusted(32);
        Assert.Equal(31, face.Bottom);
        Assert.Equal(5 + 25 / 12.0, face.Left, 6);
        Assert.Equal(30 - 25 / 12.0, face.Right, 6);
        Assert.Throws<Gan2ShapeException>(() => PixelBox.FromMask(zeros(8, 8)));
        Assert.Throws<Gan2ShapeException>(() => PixelBox.FromMask(zeros(2, 8, 8)));
        Assert.Throws<Gan2ShapeException>(() => EllipsoidPrior.DepthMap(16, PixelBox.WholeImage(16), 0.91, 1.02, 0.05));
    }

    [Fact]
    public void TheProjectionOffsetIsZeroForAZeroEncodingAndPassesThroughTheMapping()
    {
        using var teacher = Gan2ShapeTests.TinyTeacher(16);
        using var w = teacher.Map(randn([1, 64], generator: new Generator(4)));
        using var projection = new LatentProjection(teacher, mappingDepth: 1);
        Assert.Equal(1, projection.Split);  // F2 = the pixel norm, F1 = both linear layers (k = 2 − 1)
        using var none = zeros(3, 64);
        var (image, offset) = projection.Project(none, w);
        Assert.True(offset.abs().max().item<float>() < 1e-5, "a zero encoding moves w nowhere");
        using var original = projection.Generate(w);
        Assert.True((image - original.expand_as(image)).abs().max().item<float>() < 1e-5);
        // F1 = the whole mapping: Δw = F(e) − F(0).
        using var whole = new LatentProjection(teacher, mappingDepth: 2);
        using var e = randn([2, 64], generator: new Generator(5));
        using var expected = teacher.Map(e) - teacher.Map(zeros(1, 64));
        Assert.True((whole.Offset(e) - expected).abs().max().item<float>() < 1e-5);
        Assert.Throws<Gan2ShapeException>(() => new LatentProjection(teacher, mappingDepth: 3));
        Assert.Throws<Gan2ShapeException>(() => projection.Offset(zeros(1, 32)));
    }

    [Fact]
    public void PseudoViewsAndLightsAreDrawnAsSpecified()
    {
        var config = Gan2ShapeConfig.Official;
        using var views = PseudoSamples.RandomViews(config, 4000, new Generator(1));
        Assert.True(views[.., 5].eq(0).all().item<bool>(), "no z translation");
        double yawStd = views[.., 1].std().item<float>(), pitchStd = views[.., 0].std().item<float>();
        Assert.InRange(yawStd, 0.25 * 1.2 * 0.95, 0.25 * 1.2 * 1.05);  // view_scale 1.2 on the yaw
        Assert.InRange(pitchStd, 0.1 * 0.95, 0.1 * 1.05);
        using var own = tensor(new[] { 0.2f, -0.4f, 0.1f, 0.3f }).view(1, 4);
        using var lights = PseudoSamples.RandomLights(config, own, 2000, new Generator(2));
        // diffuse b + r with r in [−0.1, 0.6]; ambient a − 0.6 r; dx in [−1, 1], dy in [−0.2, 0.8].
        var r = (lights[.., 1] + 1) / 2 - 0.3;
        Assert.InRange(r.min().item<float>(), -0.1f, 0f);
        Assert.InRange(r.max().item<float>(), 0.5f, 0.6f);
        Assert.True(((lights[.., 0] + 1) / 2 - (0.6 - 0.6 * r)).abs().max().item<float>() < 1e-5);
        Assert.InRange(lights[.., 2].min().item<float>(), -1f, -0.9f);
        Assert.InRange(lights[.., 3].max().item<float>(), 0.7f, 0.8f);
    }
}

/// <summary>The GAN2Shape per-instance fit on a tiny random teacher (16 px): each step, the schedule, seeds, errors and exact-truth scoring.</summary>
public class Gan2ShapeTests
{
    internal static readonly Gan2ShapeConfig Tiny = Gan2ShapeConfig.Cpu with
    {
        ImageSize = 16, Channels = 8, Bottleneck = 16, LatentEncoderChannels = 4, PriorSteps = 5, LearningRate = 1e-3,
        Stages = 1, FirstStageIterations = [3, 3, 3], LaterStageIterations = [2, 2, 2], BatchSize = 2, CollectIterations = 2,
        FlipStep1 = [true], FlipStep3 = [true], MappingDepth = 1, Seed = 3,
    };

    internal static StyleGenerator TinyTeacher(int size, int seed = 2)
    {
        var table = new Dictionary<int, int>();
        for (int res = 4; res <= size; res *= 2) table[res] = 16;
        var teacher = new StyleGenerator(new GeneratorConfig { Size = size, StyleDim = 64, MappingLayers = 2, Channels = table }, new Generator((ulong)seed));
        teacher.eval();
        return teacher;
    }

    static PerceptualLoss Perceptual() => Gan2ShapeLosses.Perceptual(Vgg16Features.RandomFeatures(0));

    static Tensor Style(StyleGenerator teacher, int seed)
    {
        using var noGrad = no_grad();
        return teacher.Map(randn([1, 64], generator: new Generator((ulong)seed)));
    }

    static double Mean(IEnumerable<double> xs) => xs.Average();

    [Fact]
    public void TheDepthNetworkFitReachesTheEllipsoid()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        using var perceptual = Perceptual();
        using var fit = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7);
        var losses = fit.FitPrior(120);
        Assert.True(losses[^1] < 0.1 * losses[0], $"prior MSE {losses[0]:E2} -> {losses[^1]:E2}");
        using var d = fit.CurrentDecomposition();
        double error = (d.Depth[0, .., 2..14] - fit.Prior[.., 2..14]).abs().max().item<float>();
        Assert.True(error < 0.02, $"largest depth error after the fit {error:F4} (prior range 0.11)");
    }

    [Fact]
    public void EachStepLowersItsLoss()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        using var perceptual = Perceptual();
        using var fit = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7);
        fit.FitPrior(20);
        var s1 = fit.Step1(25, flip: true);
        Assert.True(Mean(s1.TakeLast(3)) < Mean(s1.Take(3)) - 0.02, $"step 1 {s1[0]:F4} -> {s1[^1]:F4}");
        var s2 = fit.Step2(25);
        Assert.True(Mean(s2.TakeLast(5)) < Mean(s2.Take(5)), $"step 2 {Mean(s2.Take(5)):F4} -> {Mean(s2.TakeLast(5)):F4}");
        fit.Collect(3);
        Assert.Equal(3 * Tiny.BatchSize, fit.CollectedCount);
        var s3 = fit.Step3(25, flip: true);
        Assert.True(Mean(s3.TakeLast(3)) < Mean(s3.Take(3)), $"step 3 {Mean(s3.Take(3)):F4} -> {Mean(s3.TakeLast(3)):F4}");
        Assert.All(fit.History, h => Assert.True(double.IsFinite(h.Loss)));
        Assert.Equal(["prior", "step1", "step2", "step3"], fit.History.Select(h => h.Step).Distinct());
    }

    [Fact]
    public void PseudoSamplesShowTheShapeFromOtherViews()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        using var fit = new Gan2ShapeInstance(Tiny with { PerceptualWeight = 0, ProjectionFeatureWeight = 0 }, teacher, w, null, 7);
        fit.FitPrior(10);
        using var d = fit.CurrentDecomposition();
        using var pseudo = PseudoSamples.Render(fit.Model, fit.Config, d, 6, new Generator(9));
        Assert.Equal([6L, 3, 16, 16], pseudo.Images.shape);
        Assert.True(pseudo.Images.abs().le(1).all().item<bool>());
        using var ownRender = fit.Model.Render(d);
        double viewGap = (pseudo.Views[.., ..3] - d.View[.., ..3]).abs().max().item<float>();
        Assert.True(viewGap > 0.05, $"pseudo views within {viewGap:F3} of the image's view");
        double imageGap = (pseudo.Images - ownRender.Render.Image.clamp(-1, 1)).abs().mean().item<float>();
        Assert.True(imageGap > 0.01, $"pseudo samples differ from the image's own render by {imageGap:F4} on average");
        Assert.True(pseudo.Mask.sum().item<float>() > 0);
        Assert.Throws<Gan2ShapeException>(() => PseudoSamples.Render(fit.Model, fit.Config,
            new Unsup3dDecomposition(d.Depth.expand(2, -1, -1), d.Albedo.expand(2, -1, -1, -1), d.Light.expand(2, -1), d.View.expand(2, -1)), 2, new Generator(1)));
    }

    [Fact]
    public void TheOffsetWeightShrinksTheProjectionsOffsets()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        double Offset(double weight)
        {
            using var fit = new Gan2ShapeInstance(Tiny with { OffsetWeight = weight, PerceptualWeight = 0, ProjectionFeatureWeight = 0 }, teacher, w, null, 7);
            fit.Step2(15);
            using var noGrad = no_grad();
            using var d = fit.CurrentDecomposition();
            using var pseudo = PseudoSamples.Render(fit.Model, fit.Config, d, 8, new Generator(3));
            var (_, offset) = fit.Project(pseudo.Images);
            return offset.square().mean().item<float>();
        }
        double free = Offset(0), held = Offset(1000);
        Assert.True(held < 0.5 * free, $"mean Δw² {free:E3} without and {held:E3} with a large offset weight");
    }

    static Tensor Styles(StyleGenerator teacher, int count, int seed)
    {
        using var noGrad = no_grad();
        return teacher.Map(randn([count, 64], generator: new Generator((ulong)seed)));
    }

    static readonly Gan2ShapeConfig TinyJoint = Tiny with
    {
        Stages = 2, FirstStageIterations = [6, 4, 6], LaterStageIterations = [3, 3, 3], CollectIterations = 4, FlipStep1 = [false, true], FlipStep3 = [true, true],
    };

    static string TempDir() => Path.Combine(Path.GetTempPath(), $"gan2shape-{Guid.NewGuid():N}");

    static Dictionary<string, Tensor> Weights(Gan2ShapeInstance fit) =>
        fit.Model.Networks.Append((Key: "netE", Module: (nn.Module)fit.Encoder))
            .SelectMany(n => n.Module.named_parameters().Select(p => ($"{n.Key}.{p.name}", p.parameter.detach().clone())))
            .ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void JointTrainingVisitsEveryImageAndStoresProjectionsPerImage()
    {
        using var teacher = TinyTeacher(16);
        using var styles = Styles(teacher, 3, 5);
        using var perceptual = Perceptual();
        using var fit = new Gan2ShapeInstance(TinyJoint, teacher, styles, perceptual, 7);
        Assert.Equal(3, fit.Count);
        fit.FitPrior(3);
        Assert.Equal(0, fit.Current);  // the prior is fitted on the first image
        var s1 = fit.Step1(6, flip: false);
        Assert.Equal(6, s1.Count);
        // A shuffled cycle: the first 3 of 4 collect passes visit every image once, and each keeps its own projections.
        fit.Collect(4);
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(fit.CollectedFor(i) >= TinyJoint.BatchSize, $"image {i}: {fit.CollectedFor(i)} projections"));
        Assert.Equal(4 * TinyJoint.BatchSize, fit.CollectedCount);
        var images = Enumerable.Range(0, 3).Select(i => { fit.Select(i); return fit.Image.clone(); }).ToList();
        Assert.True(images[0].not_equal(images[1]).any().item<bool>() && images[1].not_equal(images[2]).any().item<bool>(), "the images differ");
        var s3 = fit.Step3(6, flip: true);
        Assert.All(s3, l => Assert.True(double.IsFinite(l)));
        foreach (var t in images) t.Dispose();
        Assert.Throws<Gan2ShapeException>(() => fit.Select(3));
        Assert.Throws<Gan2ShapeException>(() => fit.Collect(2));  // fewer passes than images
    }

    [Fact]
    public void JointTrainingLowersItsLossesAndResumesExactlyFromAStageCheckpoint()
    {
        using var teacher = TinyTeacher(16);
        using var styles = Styles(teacher, 3, 5);
        using var perceptual = Perceptual();
        string dir = TempDir();
        Directory.CreateDirectory(dir);
        try
        {
            string whole = Path.Combine(dir, "whole.pth"), split = Path.Combine(dir, "split.pth");
            using var a = new Gan2ShapeJointTraining(TinyJoint, teacher, styles, perceptual, 11, null, "teacher.pt sha256:00");
            a.Run(whole);
            Assert.True(a.Finished);
            Assert.Equal(TinyJoint.PriorSteps + 16 + 9, a.History.Count);
            Assert.All(a.History, h => Assert.True(double.IsFinite(h.Loss)));
            var prior = a.History.Where(h => h.Step == "prior").Select(h => h.Loss).ToList();
            Assert.True(prior[^1] < prior[0], $"prior fit {prior[0]:E3} -> {prior[^1]:E3}");
            var step1 = a.History.Where(h => h.Step == "step1" && h.Stage == 0).Select(h => h.Loss).ToList();
            Assert.True(step1.TakeLast(3).Average() < step1.Take(3).Average(), $"step 1 {step1.Take(3).Average():F4} -> {step1.TakeLast(3).Average():F4}");

            // Interrupted after stage 1 (a copy of its checkpoint), resumed in a new object: the same networks and losses.
            using (var first = new Gan2ShapeJointTraining(TinyJoint, teacher, styles, perceptual, 11, null, "teacher.pt sha256:00"))
            {
                first.Run(split, stageDone: stage => { if (stage == 1) File.Copy(split, split + ".stage1", true); });
            }
            File.Copy(split + ".stage1", split, true);
            var e = Assert.Throws<Gan2ShapeException>(() => Gan2ShapeJointTraining.Resume(split, teacher, perceptual, "other.pt sha256:11"));
            Assert.Contains("other.pt", e.Message);
            using var resumed = Gan2ShapeJointTraining.Resume(split, teacher, perceptual, "teacher.pt sha256:00");
            Assert.Equal(1, resumed.StagesDone);
            resumed.Run(split);
            Assert.Equal(a.History.Select(h => (h.Stage, h.Step, h.Iteration, h.Loss)), resumed.History.Select(h => (h.Stage, h.Step, h.Iteration, h.Loss)));
            var wa = Weights(a.Instance);
            var wb = Weights(resumed.Instance);
            Assert.Equal(wa.Keys, wb.Keys);
            foreach (var (k, t) in wa) Assert.True(t.eq(wb[k]).all().item<bool>(), $"{k} differs after resume");

            // A per-image fit starts from the pre-training: its networks, no prior fit; other sizes are a typed error.
            using var weights = Gan2ShapeWeights.Load(whole);
            using var w = Style(teacher, 9);
            using var fit = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7, start: weights);
            Assert.Equal(weights.Origin, fit.StartedFrom);
            var wf = Weights(fit);
            foreach (var (k, t) in wa) Assert.True(t.eq(wf[k]).all().item<bool>(), $"{k} not loaded");
            fit.Run();
            Assert.DoesNotContain(fit.History, h => h.Step == "prior");
            Assert.Equal(9, fit.History.Count);
            e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny with { Channels = 16 }, teacher, w, perceptual, 7, start: weights));
            Assert.Contains("whole.pth", e.Message);
            Assert.Contains("widths 8", e.Message);
            // Packed (float16, no resume state), it starts a fit from the same networks to float16 precision.
            string packed = Path.Combine(dir, "packed.pth");
            Assert.Equal(LiftedGan.Packing.PackedModelKind.Gan2Shape, LiftedGan.Packing.ModelPacker.Pack(whole, packed, half: true).Kind);
            Assert.True(new FileInfo(packed).Length < 0.6 * new FileInfo(whole).Length);
            using (var small = Gan2ShapeWeights.Load(packed))
            using (var fromPacked = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7, start: small))
            {
                var wp = Weights(fromPacked);
                foreach (var (k, t) in wa) Assert.True((t - wp[k]).abs().max().item<float>() <= 1e-3f * Math.Max(1, t.abs().max().item<float>()), $"{k} after packing");
            }
            Assert.Throws<Gan2ShapeException>(() => Gan2ShapeJointTraining.Resume(packed, teacher, perceptual, "teacher.pt sha256:00"));
            File.WriteAllBytes(Path.Combine(dir, "bad.pth"), [1, 2, 3]);
            Assert.ThrowsAny<LiftedGanException>(() => Gan2ShapeWeights.Load(Path.Combine(dir, "bad.pth")));
            Assert.Contains("not found", Assert.Throws<Gan2ShapeException>(() => Gan2ShapeWeights.Load(Path.Combine(dir, "none.pth"))).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AFitReconstructsAGivenTargetAndRendersItsSweepsRelightingAndMesh()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        using var perceptual = Perceptual();
        using var photo = rand(1, 3, 16, 16, generator: new Generator(3)) * 2 - 1;
        using var fit = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7, target: photo);
        Assert.True(fit.Image.eq(photo).all().item<bool>(), "the target is the image the fit reconstructs");
        fit.Run();
        using var o = Gan2ShapeOutputs.Of(fit);
        Assert.True(o.Image.eq(photo).all().item<bool>());

        using var yaw = Gan2ShapeRenders.YawSweep(fit);
        using var pitch = Gan2ShapeRenders.PitchSweep(fit);
        using var relit = Gan2ShapeRenders.Relight(fit);
        Assert.Equal([9L, 3, 16, 16], yaw.shape);
        Assert.Equal([5L, 3, 16, 16], pitch.shape);
        Assert.Equal([20L, 3, 16, 16], relit.shape);
        foreach (var frames in new[] { yaw, pitch, relit }) Assert.True(frames.isfinite().all().item<bool>() && frames.abs().le(1).all().item<bool>());
        Assert.True((yaw[0] - yaw[8]).abs().mean().item<float>() > 1e-3, "−70° and +70° render alike");
        Assert.True((relit[0] - relit[4]).abs().mean().item<float>() > 1e-3, "light from the left and from the right render alike");
        // The image's own light (r = 0, its own direction) at its own view is the reconstruction.
        using (var d = fit.CurrentDecomposition())
        {
            var own = d.Light[0].data<float>().ToArray();
            using var same = Gan2ShapeRenders.Relight(fit, [(own[2], own[3], 0)]);
            Assert.True((same - o.Reconstruction).abs().max().item<float>() < 1e-4);
            var mesh = LiftedGan.Export.MeshBuilder.Build(fit.Model.Renderer, d.Depth[0], d.Albedo[0]);
            Assert.True(mesh.VertexCount > 0);
        }
        Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny, teacher, w, perceptual, 7, target: zeros(1, 3, 8, 8)));
        var (code, _, err) = CliRunner.OneThread("gan2shape", "fit", "--stylegan", "missing.pt", "--out", Path.GetTempPath(), "--data", "no-such-folder");
        Assert.Equal(1, code);
        Assert.Contains("--data no-such-folder: no such folder", err);
    }

    [Fact]
    public void TheBenchmarkTimesEveryStepAndAWholeFit()
    {
        using var teacher = TinyTeacher(16);
        var r = Gan2ShapeBenchmark.Run(Tiny, teacher, repeats: 1, wholeFit: true);
        foreach (var ms in new[] { r.PriorMilliseconds, r.Step1Milliseconds, r.Step2Milliseconds, r.CollectMilliseconds, r.Step3Milliseconds })
            Assert.True(ms > 0 && double.IsFinite(ms));
        double expected = (Tiny.PriorSteps * r.PriorMilliseconds + 3 * r.Step1Milliseconds + 3 * r.Step2Milliseconds + 2 * r.CollectMilliseconds + 3 * r.Step3Milliseconds) / 1000;
        Assert.Equal(expected, r.PredictedFitSeconds, 9);
        Assert.True(r.MeasuredFitSeconds > 0);
    }

    [Fact]
    public void AFitIsDeterministicForItsSeeds()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        using var perceptual = Perceptual();
        Tensor Run(ulong seed)
        {
            using var fit = new Gan2ShapeInstance(Tiny, teacher, w, perceptual, seed);
            fit.Run();
            using var o = Gan2ShapeOutputs.Of(fit);
            Assert.Equal(Tiny.PriorSteps + 9, fit.History.Count);
            return o.CanonicalDepth.clone();
        }
        using var a = Run(7);
        using var b = Run(7);
        using var c = Run(8);
        Assert.True(a.eq(b).all().item<bool>(), "the same seeds gave different depths");
        Assert.False(a.eq(c).all().item<bool>(), "another sample seed gave the same depth");
    }

    [Fact]
    public void BadInputIsATypedErrorNamingTheParameter()
    {
        using var teacher = TinyTeacher(16);
        using var w = Style(teacher, 1);
        var e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny, teacher, zeros(1, 32), null, 1));
        Assert.Contains("w", e.Message);
        e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny, teacher, zeros(3, 64), Perceptual(), 1));
        Assert.Contains("collect iterations", e.Message);  // joint: at least one collect pass per image
        e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny with { ImageSize = 32 }, teacher, w, null, 1));
        Assert.Contains("teacher", e.Message);
        e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny with { Stages = 2 }, teacher, w, null, 1));
        Assert.Contains("flip", e.Message);
        e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny with { MappingDepth = 5, PerceptualWeight = 0, ProjectionFeatureWeight = 0 }, teacher, w, null, 1));
        Assert.Contains("mapping depth", e.Message);
        e = Assert.Throws<Gan2ShapeException>(() => new Gan2ShapeInstance(Tiny, teacher, w, null, 1));
        Assert.Contains("perceptual", e.Message);
        using var fit = new Gan2ShapeInstance(Tiny with { PerceptualWeight = 0, ProjectionFeatureWeight = 0 }, teacher, w, null, 1);
        e = Assert.Throws<Gan2ShapeException>(() => fit.Step3(1, flip: false));
        Assert.Contains("collect", e.Message);
        Assert.Null(Gan2ShapeConfig.Official.Problem());
        Assert.Null(Gan2ShapeConfig.Cpu.Problem());
        var (code, _, err) = CliRunner.OneThread("gan2shape", "fit", "--stylegan", "missing.pt", "--out", Path.GetTempPath(), "--preset", "fast");
        Assert.Equal(1, code);
        Assert.Contains("--preset fast", err);
        (code, _, err) = CliRunner.OneThread("gan2shape", "fit", "--stylegan", "missing-teacher.pt", "--out", Path.GetTempPath());
        Assert.Equal(1, code);
        Assert.Contains("missing-teacher.pt: StyleGAN2 checkpoint not found", err);
    }

    [Fact]
    public void TheExactTruthProtocolScoresGan2Shape()
    {
        using var teacher = TinyTeacher(32);
        using var perceptual = Perceptual();
        var config = Tiny with { ImageSize = 32 };
        var subject = new Gan2ShapeTruthSubject(teacher, config, perceptual);
        var r = ExactTruthProtocol.Evaluate(teacher, subject, null, 2, seed: 3, batch: 2);
        Assert.Equal(2, subject.Scored);
        Assert.Equal([Gan2ShapeTruthSubject.Name, ExactTruthProtocol.MeanShape, ExactTruthProtocol.Constant, ExactTruthProtocol.ConstantTemplate], r.Methods.Select(m => m.Method));
        var g = r.Subject;
        Assert.True(double.IsFinite(g.Yaw!.MeanAbs) && double.IsFinite(g.Side) && double.IsFinite(g.Mad), $"SIDE {g.Side}, MAD {g.Mad}");
        Assert.Throws<EvaluationException>(() => ExactTruthProtocol.Evaluate(teacher, new Gan2ShapeTruthSubject(teacher, Tiny, perceptual), null, 2, seed: 3));
    }

    [Fact]
    public void AParserPlacesThePriorOnItsForegroundBoxAndEachFitUsesIt()
    {
        using var parser = LiftedGan.Torch.SeededInit.Apply(new PoseDepthEstimator(32, 4), 4);
        using var image = (torch.rand(1, 3, 32, 32, generator: new Generator(2)) * 2 - 1);
        var box = Gan2ShapeTruthSubject.ParserBox(parser)(image);
        using (var p = PoseDepthTraining.Predict(parser, image))
        {
            var expected = p.Mask[0].sum().item<float>() > 0 ? PixelBox.FromMask(p.Mask[0]).FaceAdjusted(32) : PixelBox.WholeImage(32).FaceAdjusted(32);
            Assert.Equal(expected, box);
        }
        // A parser that finds no foreground: the whole image, face-adjusted, as without one.
        using (var blind = LiftedGan.Torch.SeededInit.Apply(new PoseDepthEstimator(32, 4), 4))
        {
            var parameters = blind.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
            using (no_grad())
            {
                parameters["head.weight"][1].zero_();
                parameters["head.bias"][1].fill_(-1e4);
            }
            using (var p = PoseDepthTraining.Predict(blind, image)) Assert.Equal(0f, p.Mask.sum().item<float>());
            Assert.Equal(PixelBox.WholeImage(32).FaceAdjusted(32), Gan2ShapeTruthSubject.ParserBox(blind)(image));
        }

        // The truth subject fits each sample on its box and says so.
        using var teacher = TinyTeacher(32);
        using var perceptual = Perceptual();
        var asked = new List<Tensor>();
        var fixedBox = new PixelBox(6, 31, 8, 23);
        var said = new List<string>();
        var subject = new Gan2ShapeTruthSubject(teacher, Tiny with { ImageSize = 32 }, perceptual, (_, step) => said.Add(step), img => { asked.Add(img.clone().DetachFromDisposeScope()); return fixedBox; });
        var r = ExactTruthProtocol.Evaluate(teacher, subject, null, 2, seed: 3, batch: 2);
        Assert.Equal(2, asked.Count);
        Assert.All(asked, a => Assert.Equal(new long[] { 1, 3, 32, 32 }, a.shape));
        Assert.True(asked[0].not_equal(asked[1]).any().item<bool>(), "each fit's box comes from its own image");
        Assert.Equal(2, said.Count(l => l.StartsWith("prior box rows 6-31, columns 8.0-23.0", StringComparison.Ordinal)));
        foreach (var a in asked) a.Dispose();
    }
}
