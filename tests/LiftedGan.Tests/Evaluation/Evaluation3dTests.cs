using LiftedGan.Evaluation;
using LiftedGan.Imaging;
using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

public class Evaluation3dTests
{
    /// <summary>Mirror-invariant pixel embedding: 8 x 8 area-pooled image plus its mirror, centred, unit length.</summary>
    sealed class PixelEmbedding : IFaceEmbedding
    {
        public long Dimension => 3 * 8 * 8;

        public Tensor Embed(Tensor images)
        {
            using var scope = NewDisposeScope();
            var p = nn.functional.adaptive_avg_pool2d(images, new long[] { 8, 8 });
            var e = (p + p.flip(3)).flatten(1);
            e = e - e.mean(new long[] { 1 }, keepdim: true);
            return (e / e.norm(1, true)).MoveToOuterDisposeScope();
        }
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static DepthPosePrediction Truth(FaceBatch f) => new(
        f.RenderedDepth.clone(), f.RenderedMask.gt(0.5).to(ScalarType.Float32), f.View[.., ..3] * (180 / Math.PI));

    [Fact]
    public void ShortEstimatorTrainingLowersTheLossAndItsErrorsAreFinite()
    {
        var losses = new List<double>();
        var o = new PoseDepthTrainingOptions { Size = 32, Width = 8, Steps = 40, Batch = 8, LearningRate = 3e-3, Seed = 3 };
        using var net = PoseDepthTraining.Train(o, (_, l) => losses.Add(l));
        Assert.Equal(40, losses.Count);
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < 0.8 * first, $"loss {first:F3} -> {last:F3}");

        var e = GeometryErrors.OnFaceWorld(images => PoseDepthTraining.Predict(net, images), 8, 32, seed: 99, batch: 4);
        foreach (var v in new[] { e.Side, e.Mad, e.NormalizedDepth, e.PitchError, e.YawError, e.RollError })
            Assert.True(double.IsFinite(v) && v > 0, $"error {v}");
        Assert.Equal(8, e.Images);
    }

    [Fact]
    public void EstimatorTrainingResumedFromACheckpointMatchesAnUninterruptedRun()
    {
        var o = new PoseDepthTrainingOptions { Size = 32, Width = 8, Steps = 6, Batch = 4, Seed = 11 };
        string path = Path.Combine(Path.GetTempPath(), $"estimator-run-{Guid.NewGuid():N}.pt");
        try
        {
            using var whole = new PoseDepthTrainer(o);
            using var wholeNet = whole.Net;
            var wholeLosses = Enumerable.Range(0, 6).Select(_ => whole.TrainStep()).ToList();

            using (var first = new PoseDepthTrainer(o))
            using (first.Net)
            {
                for (int i = 0; i < 3; i++) first.TrainStep();
                first.Save(path);
            }
            using var resumed = PoseDepthTrainer.Resume(path, o);
            using var resumedNet = resumed.Net;
            Assert.Equal(3, resumed.Step);
            var resumedLosses = Enumerable.Range(0, 3).Select(_ => resumed.TrainStep()).ToList();
            Assert.Equal(wholeLosses.Skip(3), resumedLosses);
            var a = wholeNet.state_dict();
            var b = resumedNet.state_dict();
            foreach (var (k, t) in a) Assert.True(Same(t, b[k]), k);

            // The saved run is also a plain estimator file, and other options refuse to resume it.
            using (var loaded = PoseDepthTraining.Load(path)) Assert.Equal(32, loaded.InputSize);
            var e = Assert.Throws<EvaluationException>(() => PoseDepthTrainer.Resume(path, o with { Width = 16 }));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EstimatorSaveLoadRoundTripIsBitwise()
    {
        using var net = SeededInit.Apply(new PoseDepthEstimator(32, 8), 5);
        net.eval();
        string path = Path.Combine(Path.GetTempPath(), $"estimator-{Guid.NewGuid():N}.pt");
        try
        {
            PoseDepthTraining.Save(path, net);
            using var loaded = PoseDepthTraining.Load(path);
            var a = net.state_dict();
            var b = loaded.state_dict();
            Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
            foreach (var (k, t) in a) Assert.True(Same(t, b[k]), k);
            using var images = torch.rand(2, 3, 32, 32, generator: new Generator(1)) * 2 - 1;
            using var p = PoseDepthTraining.Predict(net, images);
            using var q = PoseDepthTraining.Predict(loaded, images);
            Assert.True(Same(p.Depth, q.Depth) && Same(p.Angles, q.Angles) && Same(p.Mask, q.Mask));
        }
        finally { File.Delete(path); }
        Assert.Throws<EvaluationException>(() => PoseDepthTraining.Load(path));
    }

    [Fact]
    public void TruthPredictorScoresZeroOnTheFaceWorld()
    {
        using var lockstep = new Generator(7);
        var e = GeometryErrors.OnFaceWorld(images =>
        {
            using var f = FaceWorld.SampleBatch((int)images.shape[0], 32, lockstep);
            Assert.True(Same(f.Images, images));
            return Truth(f);
        }, 6, 32, seed: 7, batch: 3);
        Assert.True(e.Side < 1e-9 && e.Mad < 1e-2 && e.NormalizedDepth < 1e-6, $"{e}");
        Assert.True(e.PitchError < 1e-9 && e.YawError < 1e-9 && e.RollError < 1e-9, $"{e}");
        Assert.True(e.PitchCorrelation > 1 - 1e-9 && e.YawCorrelation > 1 - 1e-9 && e.RollCorrelation > 1 - 1e-9, $"{e}");

        // A flat predictor at the right pose: SIDE and MAD clearly above zero.
        using var flatStep = new Generator(7);
        var flat = GeometryErrors.OnFaceWorld(images =>
        {
            using var f = FaceWorld.SampleBatch((int)images.shape[0], 32, flatStep);
            using var t = Truth(f);
            return new DepthPosePrediction(torch.full_like(t.Depth, 1.0), t.Mask.clone(), t.Angles.clone());
        }, 6, 32, seed: 7, batch: 3);
        Assert.True(flat.Side > 1e-3 && flat.Mad > 5, $"{flat}");

        // Angles negated and offset: the errors grow, the correlations are exactly -1.
        using var mirrorStep = new Generator(7);
        var mirrored = GeometryErrors.OnFaceWorld(images =>
        {
            using var f = FaceWorld.SampleBatch((int)images.shape[0], 32, mirrorStep);
            using var t = Truth(f);
            return new DepthPosePrediction(t.Depth.clone(), t.Mask.clone(), 5 - t.Angles);
        }, 6, 32, seed: 7, batch: 3);
        Assert.True(mirrored.YawError > 1 && mirrored.YawCorrelation < -1 + 1e-9 && mirrored.PitchCorrelation < -1 + 1e-9, $"{mirrored}");
    }

    [Fact]
    public void Table2IsInvariantToDepthScaleShiftAndAngleOffsetsButNotToShape()
    {
        using var g = new Generator(11);
        using var faces = FaceWorld.SampleBatch(6, 32, g);
        var same = Table2Protocol.Evaluate(6, 4, (start, n) =>
        {
            var r = Truth(faces);
            var sl = r.Depth[start..(start + n)];
            var reference = new DepthPosePrediction(sl.clone(), r.Mask[start..(start + n)].clone(), r.Angles[start..(start + n)].clone());
            var method = new DepthPosePrediction(sl * 1.7 + 0.3, reference.Mask.clone(), reference.Angles + torch.tensor(new[] { 4f, -7f, 2f }));
            r.Dispose();
            return (reference, method);
        });
        Assert.Equal(6, same.Samples);
        Assert.True(same.DepthError < 1e-4 && same.YawError < 1e-4 && same.PitchError < 1e-4 && same.RollError < 1e-4, $"{same}");
        Assert.True(same.YawCorrelation > 0.9999 && same.PitchCorrelation > 0.9999, $"{same}");
        using (var truth = Truth(faces))
        {
            var yaw = truth.Angles[.., 1].to(torch.float64);
            Assert.Equal(yaw.std().item<double>(), same.ReferenceYawStd, 3);
        }

        var flipped = Table2Protocol.Evaluate(6, 6, (_, n) =>
        {
            var reference = Truth(faces);
            var method = new DepthPosePrediction(reference.Depth.flip(2), reference.Mask.clone(), reference.Angles * -1);
            return (reference, method);
        });
        Assert.True(flipped.DepthError > 0.05 && flipped.YawError > 1, $"{flipped}");
        Assert.True(flipped.YawCorrelation < -0.9999, $"{flipped}");
    }

    [Fact]
    public void IdentityVersusYawOnTheExactWorldIsOneAtFrontAndFallsOffSymmetrically()
    {
        var yaws = IdentityYaw.DefaultYaws;
        var r = IdentityYaw.Measure(new PixelEmbedding(), 4, yaws, IdentityYaw.FaceWorldRenderer(seed: 5, size: 32));
        var mean = r.Mean;
        int zero = yaws.ToList().IndexOf(0);
        Assert.Equal(1.0, mean[zero], 6);
        Assert.True(mean[0] < mean[2] && mean[^1] < mean[^3], string.Join(", ", mean));
        for (int j = 0; j < zero; j++)
            Assert.True(Math.Abs(mean[j] - mean[^(j + 1)]) < 0.5 * (1 - Math.Min(mean[j], mean[^(j + 1)])), string.Join(", ", mean));
        // Chance level: different faces are less alike than one face with itself, and one face has no pair.
        Assert.InRange(r.DifferentFaces, -1, 0.9999);
        Assert.True(double.IsNaN(IdentityYaw.Measure(new PixelEmbedding(), 1, yaws, IdentityYaw.FaceWorldRenderer(seed: 5, size: 32)).DifferentFaces));

        string folder = Path.Combine(Path.GetTempPath(), $"idyaw-{Guid.NewGuid():N}");
        try
        {
            r.Write(folder);
            Assert.Equal(1 + 4 * yaws.Count, File.ReadAllLines(Path.Combine(folder, "similarity.csv")).Length);
            Assert.Equal(1 + yaws.Count, File.ReadAllLines(Path.Combine(folder, "mean.csv")).Length);
            using var png = ImageIO.Load(Path.Combine(folder, "similarity.png"));
            Assert.Equal(new long[] { 3, 320, 480 }, png.shape);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void LiftedGeneratorProtocolsRunOnATinyModel()
    {
        using var model = new LiftedGenerator(Lifting.LiftingTrainerTests.TinyTeacher(), Lifting.LiftingTrainerTests.Tiny);
        using var estimator = SeededInit.Apply(new PoseDepthEstimator(32, 4), 4);
        estimator.eval();
        var r = Table2Protocol.ForLiftedGenerator(model, estimator, 4, seed: 2, batch: 3);
        Assert.Equal(4, r.Samples);
        foreach (var v in new[] { r.DepthError, r.YawError, r.PitchError, r.RollError })
            Assert.True(double.IsFinite(v) && v >= 0, $"{r}");

        var id = IdentityYaw.Measure(new PixelEmbedding(), 2, new double[] { -20, 0, 20 }, IdentityYaw.LiftedRenderer(model, seed: 3));
        Assert.Equal(1.0, id.Mean[1], 6);
        Assert.True(id.Mean[0] < 1 && id.Mean[2] < 1, string.Join(", ", id.Mean));
        // The flat card: the same frontal image on a plane, rotated the same way.
        var card = IdentityYaw.Measure(new PixelEmbedding(), 2, new double[] { -20, 0, 20 }, IdentityYaw.LiftedRenderer(model, seed: 3, flat: true));
        Assert.Equal(1.0, card.Mean[1], 6);
        Assert.True(card.Mean.All(double.IsFinite) && card.Mean[0] < 1, string.Join(", ", card.Mean));
    }

    [Fact]
    public void CliRejectsAmbiguousSourcesAndTrainsATinyEstimator()
    {
        var err = new StringWriter();
        Assert.NotEqual(0, LiftedGan.Cli.Program.Run(new[] { "eval", "identity-yaw", "--embedding", "x.pt", "--out", "o" }, new StringWriter(), err));
        Assert.Contains("--synth or --ckpt", err.ToString());

        string path = Path.Combine(Path.GetTempPath(), $"est-{Guid.NewGuid():N}.pt");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.True(0 == LiftedGan.Cli.Program.Run(new[] { "eval", "train-estimator", "--out", path, "--steps", "2", "--batch", "2", "--size", "32", "--width", "4", "--held-out", "2" }, output, error), error.ToString());
            Assert.Contains("held-out 2: SIDE", output.ToString());
            using var loaded = PoseDepthTraining.Load(path);
            Assert.Equal(32, loaded.InputSize);
            Assert.True(File.Exists(Path.ChangeExtension(path, ".json")));
        }
        finally
        {
            File.Delete(path);
            File.Delete(Path.ChangeExtension(path, ".json"));
            File.Delete(Path.ChangeExtension(path, ".loss.csv"));
        }
    }

    [Fact]
    public void IdentityYawOfALiftPrintsTheFlatCardBesideIt()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-idyaw").FullName;
        try
        {
            string models = Path.Combine(root, "models"), dir = Path.Combine(root, "out");
            Demo.StandInModels.Write(models);
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args =
            {
                "eval", "identity-yaw", "--ckpt", Path.Combine(models, LiftedGan.Packing.ShippedModels.LiftFile), "--stylegan", Path.Combine(models, LiftedGan.Packing.ShippedModels.StyleGanFile),
                "--face-embedding", Path.Combine(models, LiftedGan.Packing.ShippedModels.IdentityFile), "--n", "3", "--yaws", "-30,0,30", "--out", dir,
            };
            Assert.True(0 == LiftedGan.Cli.Program.Run(args, output, error), error.ToString());
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("yaw_degrees,lift_mean,lift_std,flat_card_mean,flat_card_std,faces", lines);
            var zero = lines.Single(l => l.StartsWith("0,", StringComparison.Ordinal)).Split(',');
            Assert.Equal(1.0, double.Parse(zero[1], System.Globalization.CultureInfo.InvariantCulture), 3);
            Assert.Equal(1.0, double.Parse(zero[3], System.Globalization.CultureInfo.InvariantCulture), 3);
            Assert.Contains(lines, l => l.StartsWith("mean over the turned yaws: lift", StringComparison.Ordinal));
            foreach (var f in new[] { "similarity.png", "mean.csv", "flat-card/mean.csv", "flat-card/similarity.png" })
                Assert.True(File.Exists(Path.Combine(dir, f)), f);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void IdentityYawOfAnUnsup3dModelTurnsItsReconstructionOfTheTeachersSamples()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-idyaw-u3d").FullName;
        try
        {
            string models = Path.Combine(root, "models"), dir = Path.Combine(root, "out"), u3d = Path.Combine(root, "unsup3d.pth");
            Demo.StandInModels.Write(models);
            using (var model = new LiftedGan.Baselines.Unsup3d.Unsup3dModel(Baselines.Unsup3dTests.Tiny with { ImageSize = 64 }))
                LiftedGan.Checkpoints.TorchCheckpoint.Save(u3d, LiftedGan.Baselines.Unsup3d.Unsup3dCheckpoint.ToCheckpoint(model));
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args =
            {
                "eval", "identity-yaw", "--ckpt", u3d, "--stylegan", Path.Combine(models, LiftedGan.Packing.ShippedModels.StyleGanFile),
                "--face-embedding", Path.Combine(models, LiftedGan.Packing.ShippedModels.IdentityFile), "--n", "3", "--yaws", "-30,0,30", "--out", dir,
            };
            Assert.True(0 == LiftedGan.Cli.Program.Run(args, output, error), error.ToString());
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("yaw_degrees,unsup3d_mean,unsup3d_std,flat_card_mean,flat_card_std,faces", lines);
            var zero = lines.Single(l => l.StartsWith("0,", StringComparison.Ordinal)).Split(',');
            Assert.Equal(1.0, double.Parse(zero[1], System.Globalization.CultureInfo.InvariantCulture), 3);
            // The renders it measures: the reconstruction turned is another image, the flat card turned too.
            using (var model = LiftedGan.Baselines.Unsup3d.Unsup3dCheckpoint.Open(u3d))
            using (var teacher = LiftedGan.StyleGan2.StyleGanCheckpoint.LoadGenerator(Path.Combine(models, LiftedGan.Packing.ShippedModels.StyleGanFile)))
            {
                teacher.eval();
                foreach (bool flat in new[] { false, true })
                {
                    using var sweep = IdentityYaw.Unsup3dRenderer(model, teacher, 1, flat)(0, [0.0, 30.0]);
                    Assert.Equal(new long[] { 2, 3, 64, 64 }, sweep.shape);
                    Assert.True(sweep.isfinite().all().item<bool>());
                    Assert.True((sweep[0] - sweep[1]).abs().mean().item<float>() > 1e-3, $"flat {flat}: turning by 30° changed nothing");
                }
            }
            Assert.Contains(lines, l => l.StartsWith("mean over the turned yaws: unsup3d", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(dir, "flat-card", "mean.csv")));
            // Without the teacher it cannot draw the samples: a usage error.
            Assert.NotEqual(0, LiftedGan.Cli.Program.Run(args.Where((_, i) => i < 4 || i > 5).ToArray(), new StringWriter(), new StringWriter()));
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void APredictorWithoutForegroundGetsNoDepthScoreInsteadOfAPerfectOne()
    {
        var e = GeometryErrors.OnFaceWorld(images =>
        {
            long n = images.shape[0], s = images.shape[2];
            return new DepthPosePrediction(torch.ones(n, s, s), torch.zeros(n, s, s), torch.zeros(n, 3));
        }, 4, 32, seed: 5, batch: 2);
        Assert.Equal(4, e.EmptyOverlap);
        Assert.True(double.IsNaN(e.Side) && double.IsNaN(e.Mad) && double.IsNaN(e.NormalizedDepth), $"{e}");
        Assert.True(e.YawError > 0 && double.IsFinite(e.YawError), $"{e}");
    }
}
