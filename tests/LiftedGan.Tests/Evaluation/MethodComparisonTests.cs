using System.Text.Json;
using LiftedGan.Baselines.Gan2Shape;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using LiftedGan.Tests.Baselines;
using LiftedGan.Tests.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

/// <summary>
/// Issue #18's comparison at tiny sizes: every method and baseline on the same samples in one table, the constant
/// template row, the identity rotation of a baseline's reconstruction, and the small Unsup3d file.
/// </summary>
public class MethodComparisonTests
{
    /// <summary>Pixel embedding: 8 x 8 area-pooled image, centred, unit length (not mirror-invariant: a turn changes it).</summary>
    sealed class PixelEmbedding : IFaceEmbedding
    {
        public long Dimension => 3 * 8 * 8;

        public Tensor Embed(Tensor images)
        {
            using var scope = NewDisposeScope();
            var e = nn.functional.adaptive_avg_pool2d(images, [8, 8]).flatten(1);
            e = e - e.mean([1], keepdim: true);
            return (e / e.norm(1, true).clamp_min(1e-12)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Smooth random images drawn from the step's generator.</summary>
    sealed class NoiseImages(int size) : LiftedGan.Data.IImageSource
    {
        public string Describe() => $"smooth noise {size} px";
        public int? Resolution => size;
        public long? Available => null;
        public bool IsRandom => true;

        public Tensor Next(int n, Generator g)
        {
            using var scope = NewDisposeScope();
            var coarse = rand([n, 3, 4, 4], generator: g) * 2 - 1;
            return nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: true).MoveToOuterDisposeScope();
        }
    }

    static readonly Unsup3dConfig TinyUnsup3d = Unsup3dTests.Tiny with { ImageSize = 32 };

    [Fact]
    public void TheComparisonHasEveryMethodAndBaselineOnTheSameSamplesInOneTable()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        teacher.eval();
        var liftConfig = SupervisedTruthTests.Config with { Objective = LiftingObjective.Unsupervised };
        using var lift = new LiftedGenerator(teacher, liftConfig);
        using var oracle = new LiftedGenerator(teacher, SupervisedTruthTests.Config);
        using var unsup3d = new Unsup3dModel(TinyUnsup3d);
        unsup3d.Train(false);
        using var perceptual = Gan2ShapeLosses.Perceptual(Vgg16Features.RandomFeatures(0));
        var g2sConfig = Gan2ShapeTests.Tiny with { ImageSize = 32 };
        var gan2shape = new Gan2ShapeTruthSubject(teacher, g2sConfig, perceptual);
        // A second GAN2Shape row whose fits start from a (here untrained) joint pre-training's file.
        string joint = Path.Combine(Path.GetTempPath(), $"g2s-joint-{Guid.NewGuid():N}.pth");
        using (var styles = teacher.Map(randn([2, teacher.Config.StyleDim], generator: new Generator(1))))
        using (var run = new Gan2ShapeJointTraining(g2sConfig, teacher, styles, perceptual, 1, null, "t sha256:0"))
            run.Save(joint);
        using var start = Gan2ShapeWeights.Load(joint);
        File.Delete(joint);
        var fromJoint = new Gan2ShapeTruthSubject(teacher, g2sConfig, perceptual, start: start);
        var options = new MethodComparisonOptions { Count = 4, Seed = 3, Batch = 2, CostlyCount = 2 };
        var costs = new Dictionary<string, MethodCost> { [ExactTruthProtocol.Lift] = new("3 h", MethodCost.Stated) };
        int threads = get_num_threads();
        set_num_threads(1);
        MethodComparisonResult r;
        try
        {
            r = MethodComparison.Run(teacher,
                [new LiftTruthSubject(lift), new Unsup3dTruthSubject(unsup3d), new LiftTruthSubject(oracle, ExactTruthProtocol.Supervised)],
                [gan2shape, fromJoint], new PixelEmbedding(), options, costs);
        }
        finally { set_num_threads(threads); }

        string[] cheap = [ExactTruthProtocol.Lift, Unsup3dTruthSubject.Name, ExactTruthProtocol.Supervised];
        string[] baselines = [ExactTruthProtocol.ConstantTemplate, ExactTruthProtocol.Constant, ExactTruthProtocol.MeanShape];
        Assert.Equal(cheap.Concat(baselines).Concat(cheap.Prepend(Gan2ShapeTruthSubject.JointName).Prepend(Gan2ShapeTruthSubject.Name)).Concat(baselines),
            r.Rows.Select(x => x.Method));
        Assert.Equal(2, gan2shape.Scored);
        Assert.Equal(2, fromJoint.Scored);
        var jointRow = r.Rows.First(x => x.Method == Gan2ShapeTruthSubject.JointName);
        Assert.Equal("GAN2Shape (from its joint pre-training)", jointRow.Label);
        Assert.Contains("after the joint pre-training's 0 s once", jointRow.Cost!.Text);  // an unrun training stores 0 s
        Assert.All(r.Rows.Take(6), x => Assert.Equal(4, x.Samples));
        Assert.All(r.Rows.Skip(6), x => Assert.Equal(2, x.Samples));
        // Every method that renders has its identity cosine; the ones with a canonical depth their distinctiveness.
        foreach (var row in r.Rows.Where(x => x.Method != ExactTruthProtocol.Constant && x.Method != ExactTruthProtocol.MeanShape))
        {
            Assert.True(double.IsFinite(row.Scores.Side) && double.IsFinite(row.Scores.Mad), row.Method);
            Assert.True(row.Identity is { } id && id.Faces == row.Samples && double.IsFinite(row.IdentityCosine), row.Method);
            Assert.NotNull(row.Canonical);
        }
        Assert.Equal(0.0, r.Rows.First(x => x.Method == ExactTruthProtocol.ConstantTemplate).Canonical!.Distinctiveness, 9);
        // The same samples: a method scored on the first two in both blocks agrees with itself on them.
        var g2s = r.Rows.First(x => x.Method == Gan2ShapeTruthSubject.Name);
        Assert.Equal(MethodCost.Measured, g2s.Cost!.Source);
        Assert.Contains("CPU-s per image", g2s.Cost.Text);
        Assert.Equal(MethodCost.Stated, r.Rows[0].Cost!.Source);

        string md = ComparisonReport.Markdown(r, "liftedgan eval compare ...");
        foreach (var header in new[] { "SIDE (×10⁻²)", "MAD (°)", "relief (× true)", "yaw (°)", "yaw gain", "pitch (°)", "roll (°)", "distinct.", "identity cos ±30°", "cost" })
            Assert.Contains(header, md);
        var tableRows = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| method", StringComparison.Ordinal)).ToList();
        foreach (var label in new[] { "LiftedGAN", "Unsup3d", "GAN2Shape", "supervised oracle", "constant template", "constant answer", "mean shape at the true pose" })
            Assert.Contains(tableRows, l => l.StartsWith("| " + label, StringComparison.Ordinal));
        Assert.Equal(13, md.Split('\n').First(l => l.StartsWith("| method | samples", StringComparison.Ordinal)).Count(c => c == '|') - 1);
        Assert.Contains("| first 2 |", md);
        Assert.Contains("3 h (stated)", md);
        Assert.Contains("0.756", md); // GAN2Shape's published BFM SIDE, in the papers' table
        Assert.Contains("0.472", md); // Unsup3d in LiftedGAN's Table 2
        using var json = JsonDocument.Parse(ComparisonReport.Json(r, "cmd"));
        Assert.Equal(r.Rows.Count, json.RootElement.GetProperty("rows").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("rows")[0].TryGetProperty("relief", out _));
    }

    /// <summary>
    /// The constant template computed here from its definition (the world's mean canonical depth and mean raw view over
    /// 256 faces of seed + 7919, rendered there, the teacher's image as texture) as an ordinary method.
    /// </summary>
    sealed class TemplateByHand : ITruthSubject
    {
        readonly Tensor _depth, _transform, _raw;
        readonly DepthMapRenderer _renderer;

        public TemplateByHand(int size, long seed)
        {
            using var g = new Generator((ulong)(seed + 7919));
            var depths = new List<Tensor>();
            var transforms = new List<Tensor>();
            var views = new List<Tensor>();
            for (int i = 0; i < 4; i++)
            {
                using var faces = FaceWorld.SampleBatch(64, size, g);
                depths.Add(faces.CanonicalDepth.clone());
                transforms.Add(faces.TransformMap.clone());
                views.Add(faces.RawView.clone());
            }
            _depth = cat(depths, 0).mean([0], keepdim: true);
            _transform = cat(transforms, 0).mean([0], keepdim: true);
            _raw = cat(views, 0).mean([0], keepdim: true);
            _renderer = FaceWorld.Renderer(size);
            ImageSize = size;
        }

        public string Method => "by hand";
        public int ImageSize { get; }

        /// <summary>The template's pitch, yaw and roll in degrees.</summary>
        public double[] AnglesDegrees => (ViewTransform.ScaleRawView(_raw)[0, ..3] * (180 / Math.PI)).to(ScalarType.Float64).data<double>().ToArray();

        public TruthPrediction Predict(Tensor w, Tensor image)
        {
            long n = image.shape[0];
            var depth = _depth.expand(n, -1, -1).contiguous();
            var view = ViewTransform.ScaleRawView(_raw.expand(n, -1));
            using var render = _renderer.Render(depth, image, view, _transform.expand(n, -1, -1, -1));
            return new TruthPrediction(depth, render.Depth.clone(), render.Mask.squeeze(1).gt(0.5).to(ScalarType.Float32),
                (view[.., ..3] * (180 / Math.PI)).to(ScalarType.Float32));
        }
    }

    [Fact]
    public void TheConstantTemplateRowIsTheMeanDepthAtTheMeanPose()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        teacher.eval();
        var byHand = new TemplateByHand(32, seed: 5);
        var r = ExactTruthProtocol.Compare(teacher, [byHand], 6, seed: 5, batch: 3);
        var template = r[ExactTruthProtocol.ConstantTemplate]!;
        var hand = r[byHand.Method]!;
        Assert.Equal(hand.Side, template.Side, 6);
        Assert.Equal(hand.Mad, template.Mad, 3);
        Assert.Equal(hand.NormalizedDepth, template.NormalizedDepth, 4);
        foreach (var (a, b) in new[] { (hand.Yaw, template.Yaw), (hand.Pitch, template.Pitch), (hand.Roll, template.Roll) })
            Assert.Equal(a!.MeanAbs, b!.MeanAbs, 4);
        Assert.Equal(r.Canonical[byHand.Method].Correlation, r.Canonical[ExactTruthProtocol.ConstantTemplate].Correlation, 5);
        Assert.Equal(0.0, r.Canonical[ExactTruthProtocol.ConstantTemplate].Distinctiveness, 9);
        // Beside the constant answer (0°, flat plane) on the same samples: the constant angles differ by the mean pose
        // only, and the template's shape is the mean shape's (the mean-shape row renders it at the true pose instead).
        var constant = r[ExactTruthProtocol.Constant]!;
        var mean = byHand.AnglesDegrees;
        Assert.Equal(constant.Yaw!.Bias + mean[1], template.Yaw!.Bias, 3);
        Assert.Equal(constant.Pitch!.Bias + mean[0], template.Pitch!.Bias, 3);
        Assert.Equal(0.0, template.Yaw.Gain, 9);
        Assert.True(template.Mad < constant.Mad, $"the mean face ({template.Mad}°) has a better shape than a plane ({constant.Mad}°)");
        // Relief: the flat plane has none; the mean face a relief of the true one's order.
        Assert.Equal(0.0, constant.Relief, 9);
        Assert.InRange(template.Relief, 0.3, 3);
        Assert.Equal(hand.Relief, template.Relief, 4);
    }

    [Fact]
    public void AnUnsup3dReconstructionTurnedFromItsOwnViewKeepsIdentityOnlyAtZero()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        teacher.eval();
        using var model = new Unsup3dModel(TinyUnsup3d);
        model.Train(false);
        var subject = new Unsup3dTruthSubject(model);
        using var g = new Generator(4);
        using var noGrad = no_grad();
        var w = teacher.Map(randn([3, 64], generator: g));
        var image = teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1);
        using var p = subject.Predict(w, image);
        Assert.True(p.CanRotate);
        var s2 = TinyUnsup3d.ImageSize;
        var y2 = linspace(-1, 1, s2).view(1, s2, 1);
        var x2 = linspace(-1, 1, s2).view(1, 1, s2);
        var bumped = (1.06 - 0.08 * (-(y2.square() + x2.square()) * 3).exp()).expand(3, -1, -1).contiguous();
        using var shaped = p with { CanonicalDepth = bumped };
        Assert.True(shaped.CanonicalDepth.std().item<float>() > 0.01, "a non-flat shape");

        // Yaw 0 is the model's own render at its predicted view.
        using var d = model.Decompose(image);
        using var own = model.Render(d);
        using var sweep = IdentityYaw.RenderFromView(p.Renderer!, p.CanonicalDepth, p.CanonicalImage!, p.RawView!, [0.0]);
        Assert.True((sweep[.., 0] - own.Render.Image.clamp(-1, 1)).abs().mean().item<float>() < 1e-3, "yaw 0 differs from the model's render");

        foreach (var prediction in new[] { p, shaped })
        {
            var r = IdentityYaw.MeasurePredictions(new PixelEmbedding(), prediction, [-30, 0, 30]);
            Assert.Equal(3, r.Faces);
            Assert.Equal(1.0, r.Mean[1], 6);
            Assert.True(r.Mean[0] < 0.999 && r.Mean[2] < 0.999, string.Join(", ", r.Mean));
        }
    }

    [Fact]
    public void AnUnsup3dCheckpointPacksSmallAndStillLoads()
    {
        var dir = Directory.CreateTempSubdirectory("unsup3d-pack").FullName;
        try
        {
            var config = TinyUnsup3d with { Steps = 1 };
            using (var t = Unsup3dRun.Open(config, s => new NoiseImages(s), dir, null, _ => { }))
            {
                Unsup3dRun.Run(t, dir, sampleEvery: 0);
                t.Model.Dispose();
            }
            string training = Unsup3dRun.LatestCheckpoint(dir)!;
            string packed = Path.Combine(dir, "packed", "unsup3d.pth");
            var result = ModelPacker.Pack(training, packed, half: true);
            Assert.Equal(PackedModelKind.Unsup3d, result.Kind);
            Assert.True(result.OutputBytes * 3 < result.InputBytes, $"{result.InputBytes} -> {result.OutputBytes} bytes");
            Assert.Equal(result.Tensors, result.HalfTensors);
            Assert.Equal(SubjectKind.Unsup3d, TruthSubjects.KindOf(packed));
            var root = TorchCheckpoint.Load(packed);
            try
            {
                var d = Assert.IsType<PyDict>(root);
                Assert.False(d.ContainsKey("optimizer"));
                Assert.True(d.ContainsKey("data"));
            }
            finally { TorchCheckpoint.DisposeTensors(root); }
            var (step, seconds) = Unsup3dCheckpoint.ReadProgress(packed);
            Assert.Equal(1, step);
            Assert.True(seconds > 0, "the training seconds survive the pack");
            Assert.Equal(Unsup3dCheckpoint.ReadProgress(training), (step, seconds));

            using var a = Unsup3dCheckpoint.Open(training);
            using var b = Unsup3dCheckpoint.Open(packed);
            foreach (var ((name, pa), (_, pb)) in a.Parameters().Select((p, i) => ($"#{i}", p)).Zip(b.Parameters().Select((p, i) => ($"#{i}", p))))
            {
                Assert.Equal(ScalarType.Float32, pb.dtype);
                Assert.True((pa - pb).abs().max().item<float>() <= 1e-3 * Math.Max(1, pa.abs().max().item<float>()), $"{name} differs beyond float16 rounding");
            }
            using var g = new Generator(1);
            using var image = rand([2, 3, 32, 32], generator: g) * 2 - 1;
            using var pa2 = new Unsup3dTruthSubject(a).Predict(image, image);
            using var pb2 = new Unsup3dTruthSubject(b).Predict(image, image);
            Assert.True((pa2.Angles - pb2.Angles).abs().max().item<float>() < 0.5, "angles of the packed model");
            // The training checkpoint resumes; the packed one has no Adam state to resume from.
            Assert.Throws<CheckpointFormatException>(() =>
            {
                using var m = new Unsup3dModel(config with { PerceptualWeight = 0 });
                using var trainer = new Unsup3dTrainer(m, new NoiseImages(32), null);
                trainer.Resume(packed);
            });
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheCompareCommandWritesTheTableFromFilesAndRefusesBadArguments()
    {
        var (code, _, err) = CliRunner.OneThread("eval", "compare", "--stylegan", "missing.pt", "--out", Path.GetTempPath());
        Assert.Equal(1, code);
        Assert.Contains("missing.pt", err);
        var dir = Directory.CreateTempSubdirectory("compare-cli").FullName;
        try
        {
            string teacher;
            using (var g = SupervisedTruthTests.WorldTeacher()) teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit: true);
            (code, _, err) = CliRunner.OneThread("eval", "compare", "--stylegan", teacher, "--out", dir);
            Assert.Equal(1, code);
            Assert.Contains("give at least one method", err);
            string u3d = Path.Combine(dir, "u3d.pth");
            using (var model = new Unsup3dModel(TinyUnsup3d)) TorchCheckpoint.Save(u3d, Unsup3dCheckpoint.ToCheckpoint(model));
            (code, _, err) = CliRunner.OneThread("eval", "compare", "--stylegan", teacher, "--unsup3d", u3d, "--cost", "lift", "--out", dir);
            Assert.Equal(1, code);
            Assert.Contains("--cost lift", err);
            (code, _, err) = CliRunner.OneThread("eval", "compare", "--stylegan", teacher, "--unsup3d", u3d, "--n-gan2shape", "1", "--out", dir);
            Assert.Equal(1, code);
            Assert.Contains("--n-gan2shape 1", err);

            string outDir = Path.Combine(dir, "table");
            (code, var output, err) = CliRunner.OneThread("eval", "compare", "--stylegan", teacher, "--unsup3d", u3d, "--n", "4", "--batch", "2",
                "--cost", "unsup3d=1 min (test)", "--out", outDir);
            Assert.True(code == 0, err + output);
            string md = File.ReadAllText(Path.Combine(outDir, "compare.md"));
            Assert.Contains("liftedgan eval compare", md);
            foreach (var label in new[] { "| Unsup3d |", "| constant template", "| constant answer", "| mean shape at the true pose" })
                Assert.Contains(label, md);
            Assert.Contains("1 min (test) (stated)", md);
            Assert.Contains("## The papers' own numbers", md);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")));
            Assert.Equal(4, json.RootElement.GetProperty("rows").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AStatedCostReplacesTheTrainingTimeACheckpointStores()
    {
        // A stored time counts only the steps since checkpoints began to store it (a resumed older run stores part of
        // its cost), so a cost stated on the command line wins.
        var dir = Directory.CreateTempSubdirectory("compare-cost").FullName;
        try
        {
            string teacher;
            using (var g = SupervisedTruthTests.WorldTeacher()) teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit: true);
            string runDir = Path.Combine(dir, "u3d");
            using (var t = Unsup3dRun.Open(TinyUnsup3d with { Steps = 1 }, s => new NoiseImages(s), runDir, null, _ => { }))
            {
                Unsup3dRun.Run(t, runDir, sampleEvery: 0);
                t.Model.Dispose();
            }
            string u3d = Unsup3dRun.LatestCheckpoint(runDir)!;
            Assert.True(Unsup3dCheckpoint.ReadProgress(u3d).TrainSeconds > 0, "the test needs a checkpoint that stores its training time");
            string Table(params string[] extra)
            {
                string outDir = Path.Combine(dir, $"table{extra.Length}");
                var (code, output, err) = CliRunner.OneThread(new[] { "eval", "compare", "--stylegan", teacher, "--unsup3d", u3d, "--n", "4", "--batch", "2", "--out", outDir }
                    .Concat(extra).ToArray());
                Assert.True(code == 0, err + output);
                return File.ReadAllText(Path.Combine(outDir, "compare.md"));
            }
            Assert.Contains("of training steps (checkpoint)", Table());
            string stated = Table("--cost", "unsup3d=2 h in all (test)");
            Assert.Contains("2 h in all (test) (stated)", stated);
            Assert.DoesNotContain("(checkpoint)", stated);
        }
        finally { Directory.Delete(dir, true); }
    }
}
