using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The supervised-truth objective: the lift's own networks fitted to a world-fit teacher's exact truth, its
/// parametrisation of view and light, its refusals, and its row in <c>eval truth</c>.
/// </summary>
public class SupervisedTruthTests(ITestOutputHelper log)
{
    /// <summary>A random teacher that can carry the world map (64 latents) at a world size; untrained, as the objective only needs z.</summary>
    internal static StyleGenerator WorldTeacher(int size = 32, int styleDim = 64, ulong seed = 2)
    {
        var table = new Dictionary<int, int>();
        for (int r = 4; r <= size; r *= 2) table[r] = 16;
        return new StyleGenerator(new GeneratorConfig { Size = size, StyleDim = styleDim, MappingLayers = 2, Channels = table }, new Generator(seed));
    }

    /// <summary>Writes <paramref name="g"/> as a StyleGAN2 checkpoint; with <paramref name="worldFit"/> its args say objective world_fit.</summary>
    internal static string SaveTeacher(StyleGenerator g, string path, bool worldFit)
    {
        var root = new PyDict();
        root.Set("g_ema", StateDict.Export(g));
        if (worldFit)
        {
            var args = new PyDict();
            args.Set("objective", "world_fit");
            root.Set("args", args);
        }
        TorchCheckpoint.Save(path, root);
        return path;
    }

    internal static readonly LiftingConfig Config = LiftingConfig.Synth64.ForTeacher(64) with
    {
        Preset = "world_32", ImageSize = 32, MlpHidden = 64, BatchSize = 4, LearningRate = 1e-3, ComposerWarmupSteps = 0,
        StatisticsSamples = 256, Seed = 4, Objective = LiftingObjective.SupervisedTruth,
    };

    /// <summary>Mean depth error (world units, true foreground) and raw-view error of the model on fixed held-out latents.</summary>
    static (double Depth, double View) HeldOut(LiftedGenerator model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = randn([8, 64], generator: new Generator(99));
        using var truth = LatentFaces.Truth(z, 32);
        using var est = model.Estimate(model.Teacher.Map(z));
        var foreground = truth.Mask.gt(0.5).to(float32).unsqueeze(1);
        double depth = LiftingLosses.MaskedL1(est.Depth.unsqueeze(1), truth.CanonicalDepth.unsqueeze(1), foreground).item<float>();
        double view = (est.View - truth.RawView).abs().mean().item<float>();
        return (depth, view);
    }

    const int Steps = 80;

    [Fact]
    public void TheLossFallsAndDepthAndViewApproachTheTruth()
    {
        using var teacher = WorldTeacher();
        using var model = new LiftedGenerator(teacher, Config);
        var statistics = StyleStatistics.Compute(teacher, Config.StatisticsSamples, Config.Seed);
        using var trainer = new LiftingTrainer(model, statistics, null, null);
        var before = HeldOut(model);
        var totals = new List<double>();
        // Tiny tensors: one intra-op thread avoids thread hand-off costs that dominate on a shared 2-core machine.
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            for (int i = 0; i < Steps; i++)
            {
                var losses = trainer.Step();
                Assert.All(new[] { "truth_depth", "truth_view", "truth_light", "truth_albedo", "truth_transform" }, k => Assert.True(losses.ContainsKey(k), k));
                Assert.DoesNotContain("reconstruction", losses.Keys);
                totals.Add(losses["total"]);
            }
        }
        finally { set_num_threads(threads); }
        var after = HeldOut(model);
        double first = totals.Take(10).Average(), last = totals.TakeLast(10).Average();
        log.WriteLine($"total {first:F4} -> {last:F4}; held-out depth {before.Depth:F5} -> {after.Depth:F5}, raw view {before.View:F4} -> {after.View:F4}");
        // Measured (1 thread): total 1.96 -> 1.20, depth 0.0357 -> 0.0072, raw view 0.172 -> 0.156. The view has to be read
        // out of a random mapping network's w, which takes far more than 320 samples; the depth is learnt at once.
        Assert.True(last < 0.8 * first, $"total loss {first:F4} -> {last:F4}");
        Assert.True(after.Depth < 0.5 * before.Depth, $"held-out depth error {before.Depth:F5} -> {after.Depth:F5}");
        Assert.True(after.View < 0.95 * before.View, $"held-out raw view error {before.View:F4} -> {after.View:F4}");
        Assert.Equal(Steps, trainer.GlobalStep);
    }

    [Fact]
    public void TheTruthsViewAndLightAreTheLiftsRawParametrisation()
    {
        using var scope = NewDisposeScope();
        using var truth = LatentFaces.Truth(randn([6, 64], generator: new Generator(5)), 32);
        // Raw view -> renderer view -> raw view, both ways.
        Assert.True(ViewTransform.ScaleRawView(truth.RawView).allclose(truth.View, rtol: 1e-6, atol: 1e-7));
        var raw = rand([5, 6], generator: new Generator(6)) * 2 - 1;
        Assert.True(FaceWorld.ToRawView(ViewTransform.ScaleRawView(raw)).allclose(raw, rtol: 1e-5, atol: 1e-6));
        // Within the tanh range the decomposer can reach.
        Assert.True(truth.RawView.abs().max().item<float>() < 1 && truth.Light.abs().max().item<float>() < 1);
        Assert.True(truth.CanonicalDepth.min().item<float>() >= Config.MinDepth && truth.CanonicalDepth.max().item<float>() <= Config.MaxDepth);

        // The lift's renderer, given the truth as if it were an estimate, draws the world's image wherever its mesh covers.
        using var teacher = WorldTeacher();
        using var model = new LiftedGenerator(teacher, Config);
        using var render = model.Render(truth.CanonicalDepth, truth.Albedo, truth.Light, truth.RawView, truth.TransformMap);
        var covered = render.Render.Mask.expand_as(truth.Images).gt(0.5);
        Assert.True(covered.to(float32).mean().item<float>() > 0.9f);
        float difference = (render.Render.Image.clamp(-1, 1) - truth.Images).abs().masked_select(covered).max().item<float>();
        Assert.True(difference < 1e-4, $"max difference {difference}");
        // The comparison can tell parametrisations apart: a mirrored yaw or a light with swapped direction does not match.
        var flipped = truth.RawView.clone();
        flipped[.., 1] = -flipped[.., 1];
        using var wrongView = model.Render(truth.CanonicalDepth, truth.Albedo, truth.Light, flipped, truth.TransformMap);
        Assert.True((wrongView.Render.Image.clamp(-1, 1) - truth.Images).abs().mean().item<float>() > 0.01);
        var swapped = truth.Light.index_select(1, tensor(new long[] { 0, 1, 3, 2 }));
        using var wrongLight = model.Render(truth.CanonicalDepth, truth.Albedo, swapped, truth.RawView, truth.TransformMap);
        Assert.True((wrongLight.Render.Image.clamp(-1, 1) - truth.Images).abs().masked_select(covered).mean().item<float>() > 1e-3);
    }

    [Fact]
    public void ATeacherWithoutExactTruthIsRefused()
    {
        // Too few latents for the world map.
        using (var narrow = WorldTeacher(styleDim: 32))
        using (var model = new LiftedGenerator(narrow, Config.ForTeacher(32)))
        {
            var e = Assert.Throws<LiftingSetupException>(() => new LiftingTrainer(model, StyleStatistics.Compute(narrow, 64, 1), null, null));
            Assert.Contains("not a world-fit teacher", e.Message);
        }
        // A size the world does not render.
        using (var small = WorldTeacher(size: 16))
        using (var model = new LiftedGenerator(small, Config with { ImageSize = 16 }))
        {
            var e = Assert.Throws<LiftingSetupException>(() => new LiftingTrainer(model, StyleStatistics.Compute(small, 64, 1), null, null));
            Assert.Contains("16 px", e.Message);
        }
        // A camera that is not the world's: the truth would not be in the lift's parametrisation.
        using (var teacher = WorldTeacher())
        using (var model = new LiftedGenerator(teacher, Config with { FieldOfView = 12 }))
            Assert.Throws<LiftingSetupException>(() => new LiftingTrainer(model, StyleStatistics.Compute(teacher, 64, 1), null, null));
        // Nothing to fit.
        using (var teacher = WorldTeacher())
        using (var model = new LiftedGenerator(teacher, Config with
               { TruthDepthWeight = 0, TruthViewWeight = 0, TruthLightWeight = 0, TruthAlbedoWeight = 0, TruthTransformWeight = 0 }))
            Assert.Contains("lam_truth", Assert.Throws<LiftingSetupException>(() => new LiftingTrainer(model, StyleStatistics.Compute(teacher, 64, 1), null, null)).Message);

        // A teacher file whose args do not say world_fit, through the run setup.
        var dir = Directory.CreateTempSubdirectory("supervised-refuse").FullName;
        try
        {
            using var teacher = WorldTeacher();
            string path = SaveTeacher(teacher, Path.Combine(dir, "adversarial.pt"), worldFit: false);
            var e = Assert.Throws<LiftingSetupException>(() => LiftingRun.Open(Config, new LiftingInputs(path, Path.Combine(dir, "run")), _ => { }));
            Assert.Contains("not a world-fit teacher", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheSupervisedReferenceIsScoredLikeTheLiftAndMustMatchIt()
    {
        using var teacher = WorldTeacher();
        var unsupervised = Config with { Objective = LiftingObjective.Unsupervised };
        using var lift = new LiftedGenerator(teacher, unsupervised);
        // Same seed, same networks: the reference equals the lift, so the same scoring path must give ratios of exactly 1.
        using var reference = new LiftedGenerator(teacher, Config);
        int threads = get_num_threads();
        set_num_threads(1);
        ExactTruthResult r;
        try { r = ExactTruthProtocol.Evaluate(lift, null, 6, seed: 3, batch: 3, supervised: reference); }
        finally { set_num_threads(threads); }
        Assert.Equal([ExactTruthProtocol.Lift, ExactTruthProtocol.Supervised, ExactTruthProtocol.MeanShape, ExactTruthProtocol.Constant, ExactTruthProtocol.ConstantTemplate],
            r.Methods.Select(m => m.Method));
        var a = r[ExactTruthProtocol.Lift]!;
        var b = r[ExactTruthProtocol.Supervised]!;
        Assert.Equal(a with { Method = b.Method }, b);
        Assert.Equal(1.0, r.SideRatio);
        Assert.Equal(1.0, r.MadRatio);
        Assert.Equal(r.CanonicalCorrelation, r.SupervisedCanonicalCorrelation);
        Assert.Equal(r.Distinctiveness, r.SupervisedDistinctiveness);
        var md = ResultsReport.TruthMarkdown(r);
        Assert.Contains($"| {ExactTruthProtocol.Supervised} |", md);
        Assert.Contains("SIDE is 1×", md);
        Assert.Null((r with { Methods = r.Methods.Where(m => m.Method != ExactTruthProtocol.Supervised).ToList() }).SideRatio);

        // Not trained on the truth, not the same size, not the same teacher: refused.
        using (var notSupervised = new LiftedGenerator(teacher, unsupervised))
            Assert.Contains("supervised-truth", Assert.Throws<EvaluationException>(() => ExactTruthProtocol.CheckSupervised(lift, notSupervised)).Message);
        using (var wider = new LiftedGenerator(teacher, Config with { MlpHidden = 32 }))
            Assert.Contains("same size", Assert.Throws<EvaluationException>(() => ExactTruthProtocol.CheckSupervised(lift, wider)).Message);
        using (var otherTeacher = WorldTeacher(seed: 9))
        using (var elsewhere = new LiftedGenerator(otherTeacher, Config))
            Assert.Contains("teacher", Assert.Throws<EvaluationException>(() => ExactTruthProtocol.CheckSupervised(lift, elsewhere)).Message);
    }

    static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.OneThread(args);

    [Fact]
    public void TheCliTrainsResumesAndScoresTheSupervisedReference()
    {
        var dir = Directory.CreateTempSubdirectory("supervised-cli").FullName;
        try
        {
            string teacher;
            using (var g = WorldTeacher(size: 64)) teacher = SaveTeacher(g, Path.Combine(dir, "teacher64.pt"), worldFit: true);
            string run = Path.Combine(dir, "run");
            var (code, output, err) = Run("lift", "--stylegan", teacher, "--objective", "supervised-truth", "--out", run, "--epochs", "1",
                "--epoch-size", "2", "--batch", "2", "--set", "composer_warmup_steps=0", "--truth-every", "1", "--truth-samples", "4");
            Assert.True(code == 0, err + output);
            // The exact-truth probe: one row per step, with the eval truth columns.
            var probe = File.ReadAllLines(Path.Combine(run, "probe.csv"));
            Assert.Equal(3, probe.Length);
            Assert.Equal("step,yaw_deg,pitch_deg,roll_deg,yaw_bias,pitch_bias,roll_bias,yaw_centred,pitch_centred,roll_centred,side,mad_deg,canonical_r,distinctiveness,mean_shape_side,teacher_l1,canonical_l1,canonical_slope", probe[0]);
            Assert.StartsWith("2,", probe[2]);
            Assert.All(probe[1..], line => Assert.All(line.Split(',').Skip(1), v => Assert.True(double.IsFinite(double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)), line)));
            Assert.Contains("supervised on exact truth", output);
            string ckpt = LiftingRun.LatestCheckpoint(run)!;
            Assert.Equal(LiftingObjective.SupervisedTruth, LiftedCheckpoint.ReadConfigBeside(ckpt)!.Objective);
            Assert.Contains("\"Objective\": \"supervised-truth\"", File.ReadAllText(Path.Combine(run, LiftedCheckpoint.ConfigFileName)));
            Assert.True(File.Exists(Path.Combine(run, "samples", "000001.png")));

            // The run keeps its objective: it resumes without the flag and refuses another one.
            var (c2, o2, e2) = Run("lift", "--stylegan", teacher, "--out", run, "--epochs", "2", "--epoch-size", "2", "--batch", "2",
                "--truth-every", "2", "--truth-samples", "4");
            Assert.True(c2 == 0, e2 + o2);
            probe = File.ReadAllLines(Path.Combine(run, "probe.csv"));
            Assert.Equal(4, probe.Length);
            Assert.StartsWith("4,", probe[3]);
            Assert.Contains("from step 2", o2);
            Assert.True(File.Exists(Path.Combine(run, "checkpoint_002.pth")));
            var (c3, _, e3) = Run("lift", "--stylegan", teacher, "--out", run, "--objective", "unsupervised", "--epochs", "3", "--epoch-size", "2");
            Assert.Equal(1, c3);
            Assert.Contains("cannot continue with unsupervised", e3);
            var (c4, _, e4) = Run("lift", "--stylegan", teacher, "--out", Path.Combine(dir, "r4"), "--objective", "supervised");
            Assert.Equal(1, c4);
            Assert.Contains("supervised-truth", e4);
            using (var g = WorldTeacher(size: 64))
            {
                string plain = SaveTeacher(g, Path.Combine(dir, "plain64.pt"), worldFit: false);
                var (c5, _, e5) = Run("lift", "--stylegan", plain, "--out", Path.Combine(dir, "r5"), "--objective", "supervised-truth");
                Assert.Equal(1, c5);
                Assert.Contains("not a world-fit teacher", e5);
                var (c7, _, e7) = Run("lift", "--stylegan", plain, "--out", Path.Combine(dir, "r7"), "--truth-every", "10");
                Assert.Equal(1, c7);
                Assert.Contains("--truth-every 10", e7);
                Assert.Contains("not a world-fit teacher", e7);
            }

            // eval truth: the reference gets its own row, scored like the lift, and the ratios (here the same file: 1).
            ckpt = LiftingRun.LatestCheckpoint(run)!;
            string json = Path.Combine(dir, "truth.json");
            var (c6, o6, e6) = Run("eval", "truth", "--ckpt", ckpt, "--stylegan", teacher, "--supervised", ckpt, "--n", "4", "--batch", "4", "--json", json);
            Assert.True(c6 == 0, e6 + o6);
            Assert.Contains(ExactTruthProtocol.Supervised, o6);
            Assert.Contains("(world mean image: ", o6);
            Assert.Contains("lift/supervised: SIDE 1.000x, MAD 1.000x", o6);
            string text = File.ReadAllText(json);
            Assert.Contains($"\"Method\": \"{ExactTruthProtocol.Supervised}\"", text);
            Assert.Contains("\"SideRatio\": 1", text);
            Assert.Contains("\"MadRatio\": 1", text);
        }
        finally { Directory.Delete(dir, true); }
    }
}
