using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Data;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Baselines;

/// <summary>The Unsup3d baseline at tiny sizes (16 px, 8 channels, batch 2): its step, symmetry, resume, checkpoint errors and exact-truth scoring.</summary>
public class Unsup3dTests
{
    internal static readonly Unsup3dConfig Tiny = Unsup3dConfig.Official with
    {
        ImageSize = 16, Channels = 8, EncoderChannels = 4, Bottleneck = 16, BatchSize = 2, LearningRate = 1e-3, Steps = 4, Seed = 3,
    };

    /// <summary>Smooth random faces-like images (a blurred random field), drawn from the step's generator; or one fixed batch.</summary>
    sealed class SmoothImages(int size, Tensor? fixedBatch = null) : IImageSource
    {
        public string Describe() => $"smooth random {size} px";
        public int? Resolution => size;
        public long? Available => null;
        public bool IsRandom => fixedBatch is null;

        public Tensor Next(int n, Generator g)
        {
            if (fixedBatch is not null) return fixedBatch.alias();
            using var scope = NewDisposeScope();
            var coarse = rand([n, 3, 4, 4], generator: g) * 2 - 1;
            return nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: true).MoveToOuterDisposeScope();
        }
    }

    static Unsup3dTrainer TinyTrainer(Unsup3dConfig? config = null, IImageSource? source = null)
    {
        var c = config ?? Tiny;
        return new Unsup3dTrainer(new Unsup3dModel(c), source ?? new SmoothImages(c.ImageSize), Unsup3dTrainer.PerceptualNetwork(Vgg16Features.RandomFeatures(0)));
    }

    static string TempDir() => Path.Combine(Path.GetTempPath(), $"unsup3d-{Guid.NewGuid():N}");

    [Fact]
    public void AFewStepsLowerTheLossOnAFixedBatch()
    {
        using var batch = new SmoothImages(16).Next(2, new Generator(11));
        using var trainer = TinyTrainer(source: new SmoothImages(16, batch));
        var first = trainer.Step();
        IReadOnlyDictionary<string, double> last = first;
        for (int i = 0; i < 25; i++) last = trainer.Step();
        Assert.Equal(26, trainer.GlobalStep);
        Assert.All(last.Values, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(["l1", "l1_flip", "perceptual", "perceptual_flip", "total"], last.Keys.Order());
        Assert.True(last["total"] < first["total"] - 0.05, $"loss {first["total"]:F4} -> {last["total"]:F4}");
        trainer.Model.Dispose();
    }

    [Fact]
    public void OutputsAreFiniteAndWithinTheirRanges()
    {
        using var model = new Unsup3dModel(Tiny);
        using var images = new SmoothImages(16).Next(2, new Generator(1));
        using var d = model.Decompose(images);
        Assert.Equal([2L, 16, 16], d.Depth.shape);
        Assert.Equal([2L, 3, 16, 16], d.Albedo.shape);
        Assert.True(d.Depth.ge(0.9).all().item<bool>() && d.Depth.le(1.1).all().item<bool>());
        Assert.True(d.Depth[.., .., ..2].eq(1.04f).all().item<bool>() && d.Depth[.., .., 14..].eq(1.04f).all().item<bool>(), "border columns at 1.04");
        Assert.True(d.Albedo.abs().lt(1).all().item<bool>());
        Assert.Equal([2L, 4], d.Light.shape);
        Assert.Equal([2L, 6], d.View.shape);
        Assert.True(d.View[.., 5].eq(0).all().item<bool>(), "no z translation (face configs)");
        using var render = model.Render(d);
        Assert.True(render.Render.Image.isfinite().all().item<bool>());
        var (pixel, perceptual) = model.Confidence!.forward(images);
        Assert.Equal([2L, 2, 16, 16], pixel.shape);
        Assert.Equal([2L, 2, 4, 4], perceptual.shape);
        Assert.True(pixel.gt(0).all().item<bool>() && perceptual.gt(0).all().item<bool>(), "softplus confidences are positive");
        var (depth, mask) = model.DepthInView(d);
        Assert.True(mask.sum().item<float>() > 0 && depth.isfinite().all().item<bool>());
    }

    [Fact]
    public void TheFlippedRenderMirrorsDepthAndAlbedo()
    {
        using var model = new Unsup3dModel(Tiny);
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 16).view(1, 1, 16);
        var y = linspace(-1, 1, 16).view(1, 16, 1);
        var symmetricDepth = (1.05 - 0.1 * (1 - x.square() - y.square()).clamp_min(0)).expand(2, 16, 16).contiguous();
        var albedo = (x * 0.8).unsqueeze(1).expand(2, 3, 16, 16).contiguous();  // antisymmetric left to right
        var frontalLight = tensor(new[] { 0.2f, 0.4f, 0f, 0f }).expand(2, 4).contiguous();
        var frontalView = zeros(2, 6);
        using var d = new Unsup3dDecomposition(symmetricDepth, albedo, frontalLight, frontalView);
        using var plain = model.Render(d);
        using var flipped = model.Render(d, flipped: true);
        // A symmetric shape seen from the front: mirroring depth and albedo mirrors the image (up to the grid mesh's
        // triangulation, whose diagonals do not mirror).
        double mirrorError = (flipped.Render.Image - plain.Render.Image.flip(3)).abs().mean().item<float>();
        Assert.True(mirrorError < 0.01, $"mirrored render differs from the mirror image by {mirrorError:F4} on average");
        Assert.True((flipped.Render.Image - plain.Render.Image).abs().max().item<float>() > 0.1, "the albedo is not symmetric, so the renders differ");
        // A symmetric albedo too: both renders are the same image (the symmetry the flip loss rewards).
        using var symmetric = new Unsup3dDecomposition(symmetricDepth, albedo.abs(), frontalLight, frontalView);
        using var a = model.Render(symmetric);
        using var b = model.Render(symmetric, flipped: true);
        Assert.True((a.Render.Image - b.Render.Image).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void AResumedRunEqualsAnUninterruptedOne()
    {
        string whole = TempDir(), split = TempDir();
        try
        {
            Func<int, IImageSource> source = s => new SmoothImages(s);
            var warnings = new List<string>();
            Unsup3dTrainer Open(string dir, long steps) => Unsup3dRun.Open(Tiny with { Steps = steps }, source, dir, null, warnings.Add);
            using (var t = Open(whole, 4)) { Unsup3dRun.Run(t, whole, checkpointEvery: 10, sampleEvery: 0); t.Model.Dispose(); }
            using (var t = Open(split, 2)) { Unsup3dRun.Run(t, split, checkpointEvery: 10, sampleEvery: 0); t.Model.Dispose(); }
            using (var t = Open(split, 4))
            {
                Assert.Equal(2, t.GlobalStep);
                Unsup3dRun.Run(t, split, checkpointEvery: 10, sampleEvery: 2);
                t.Model.Dispose();
            }
            Assert.Contains(warnings, w => w.Contains("VGG16", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(split, "samples", "000004.png")));
            string a = Unsup3dRun.LatestCheckpoint(whole)!, b = Unsup3dRun.LatestCheckpoint(split)!;
            Assert.EndsWith("checkpoint_0000004.pth", b);
            using var ma = Unsup3dCheckpoint.Open(a);
            using var mb = Unsup3dCheckpoint.Open(b);
            foreach (var ((name, pa), (_, pb)) in ma.Networks.SelectMany(n => n.Module.named_parameters()).Zip(mb.Networks.SelectMany(n => n.Module.named_parameters())))
                Assert.True(pa.eq(pb).all().item<bool>(), $"{name} differs between the resumed and the uninterrupted run");
            Assert.Equal(File.ReadAllLines(Path.Combine(whole, "loss.csv")), File.ReadAllLines(Path.Combine(split, "loss.csv")));
        }
        finally
        {
            foreach (var dir in new[] { whole, split }) if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ARunStartedFromAnotherContinuesItsNetworksStepAndTimeWithItsSettings()
    {
        string first = TempDir(), second = TempDir();
        try
        {
            Func<int, IImageSource> source = s => new SmoothImages(s);
            var warnings = new List<string>();
            using (var t = Unsup3dRun.Open(Tiny with { Steps = 2 }, source, first, null, _ => { })) { Unsup3dRun.Run(t, first, sampleEvery: 0); t.Model.Dispose(); }
            string from = Unsup3dRun.LatestCheckpoint(first)!;
            var (_, seconds) = Unsup3dCheckpoint.ReadProgress(from);
            // Other settings given: the file's are kept (with a warning); the step count and learning rate apply.
            using (var t = Unsup3dRun.Open(Tiny with { Steps = 4, FlipWeight = 0.25, LearningRate = 3e-4 }, source, second, null, warnings.Add, from))
            {
                Assert.Equal(2, t.GlobalStep);
                Assert.Equal(Tiny.FlipWeight, t.Config.FlipWeight);
                Assert.Equal(3e-4, t.Config.LearningRate);
                Assert.Equal(seconds, t.TrainSeconds);
                Assert.StartsWith(Path.GetFileName(from) + " sha256:", t.InitialisedFrom);
                using (var stored = Unsup3dCheckpoint.Open(from))
                    foreach (var ((name, pa), (_, pb)) in stored.Networks.SelectMany(n => n.Module.named_parameters()).Zip(t.Model.Networks.SelectMany(n => n.Module.named_parameters())))
                        Assert.True(pa.eq(pb).all().item<bool>(), $"{name} was not taken from the file");
                Unsup3dRun.Run(t, second, sampleEvery: 0);
                Assert.Equal(4, t.GlobalStep);
                t.Model.Dispose();
            }
            Assert.Contains(warnings, w => w.Contains("keeps the settings stored", StringComparison.Ordinal));
            // Resumed: the record of the initialisation comes back from the run's own checkpoint, the file is not read again.
            warnings.Clear();
            using (var t = Unsup3dRun.Open(Tiny with { Steps = 5 }, source, second, null, warnings.Add, Path.Combine(first, "missing.pth")))
            {
                Assert.Equal(4, t.GlobalStep);
                Assert.StartsWith(Path.GetFileName(from) + " sha256:", t.InitialisedFrom);
                t.Model.Dispose();
            }
            Assert.Contains(warnings, w => w.Contains("is not read", StringComparison.Ordinal));
            // A run that would end at or before the file's step is refused, naming the file.
            string third = TempDir();
            try
            {
                var e = Assert.Throws<Unsup3dException>(() => Unsup3dRun.Open(Tiny with { Steps = 2 }, source, third, null, _ => { }, from));
                Assert.Contains(from, e.Message);
            }
            finally { Directory.Delete(third, recursive: true); }
        }
        finally
        {
            foreach (var dir in new[] { first, second }) if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ATruncatedCheckpointIsATypedErrorNamingTheFile()
    {
        string dir = TempDir();
        try
        {
            using (var t = Unsup3dRun.Open(Tiny with { Steps = 1 }, s => new SmoothImages(s), dir, null, _ => { }))
            {
                Unsup3dRun.Run(t, dir, sampleEvery: 0);
                t.Model.Dispose();
            }
            string path = Unsup3dRun.LatestCheckpoint(dir)!;
            Assert.Equal(SubjectKind.Unsup3d, TruthSubjects.KindOf(path));
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.ThrowsAny<CheckpointException>(() => Unsup3dCheckpoint.Open(path));
            Assert.Contains(path, e.Message);
            // Resuming the run meets the same file: the same typed error, before any training.
            e = Assert.ThrowsAny<CheckpointException>(() => Unsup3dRun.Open(Tiny with { Steps = 2 }, s => new SmoothImages(s), dir, null, _ => { }));
            Assert.Contains(path, e.Message);
            // A file that is neither a lift nor Unsup3d: a typed error that says so.
            string other = Path.Combine(dir, "other.pt");
            TorchCheckpoint.Save(other, new PyDict { ["g_ema"] = new PyDict() });
            var unknown = Assert.Throws<EvaluationException>(() => TruthSubjects.KindOf(other));
            Assert.Contains(other, unknown.Message);
            Assert.Contains("StyleGAN2", unknown.Message);
            Assert.Throws<CheckpointFormatException>(() => Unsup3dCheckpoint.Open(other));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheEncodersNormAfterTheFirstConvolutionAndOldConfigsLoadWithout()
    {
        static int Norms(Unsup3dModel m) => m.Depth.modules().Count(x => x is FeatureGroupNorm);
        using var official = new Unsup3dModel(Tiny);
        using var old = new Unsup3dModel(Tiny with { FirstEncoderNorm = false });
        // 16 px: two stride-2 stages before the last, so the official encoder has a norm after both and the old one after one.
        Assert.Equal(Norms(old) + 1, Norms(official));
        Assert.True(Unsup3dConfig.FromJson(Tiny.ToJson(), "new").FirstEncoderNorm);
        var stored = System.Text.Json.Nodes.JsonNode.Parse(Tiny.ToJson())!.AsObject();
        stored.Remove(nameof(Unsup3dConfig.FirstEncoderNorm));
        Assert.False(Unsup3dConfig.FromJson(stored.ToJsonString(), "old").FirstEncoderNorm);
        // A checkpoint of the old layout opens (strict load) and an official one keeps its norm.
        string dir = TempDir();
        try
        {
            foreach (var model in new[] { official, old })
            {
                string path = Path.Combine(dir, $"{model.Config.FirstEncoderNorm}.pth");
                TorchCheckpoint.Save(path, Unsup3dCheckpoint.ToCheckpoint(model));
                using var back = Unsup3dCheckpoint.Open(path);
                Assert.Equal(model.Config.FirstEncoderNorm, back.Config.FirstEncoderNorm);
                Assert.Equal(Norms(model), Norms(back));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheTrainCommandTakesExactlyOneSourceAndTheIssuesSpelling()
    {
        string dir = TempDir();
        var (code, _, err) = CliRunner.OneThread("unsup3d", "train", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("--stylegan or --data: give exactly one", err);
        (code, _, err) = CliRunner.OneThread("unsup3d", "train", "--teacher", "a.pt", "--images", "folder", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("--stylegan or --data: give exactly one", err);
        (code, _, err) = CliRunner.OneThread("unsup3d", "train", "--teacher", Path.Combine(dir, "missing.pt"), "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("missing.pt: StyleGAN2 checkpoint not found", err);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void TheExactTruthProtocolScoresAnUnsup3dModel()
    {
        var table = new Dictionary<int, int>();
        for (int res = 4; res <= 32; res *= 2) table[res] = 16;
        using var teacher = new StyleGenerator(new GeneratorConfig { Size = 32, StyleDim = 64, MappingLayers = 2, Channels = table }, new Generator(2));
        using var model = new Unsup3dModel(Tiny with { ImageSize = 32 });
        model.Train(false);
        var r = ExactTruthProtocol.Evaluate(teacher, new Unsup3dTruthSubject(model), null, 6, seed: 3, batch: 3);
        Assert.Equal([Unsup3dTruthSubject.Name, ExactTruthProtocol.MeanShape, ExactTruthProtocol.Constant, ExactTruthProtocol.ConstantTemplate], r.Methods.Select(m => m.Method));
        var u = r.Subject;
        Assert.True(double.IsFinite(u.Yaw!.MeanAbs) && double.IsFinite(u.Pitch!.MeanAbs) && double.IsFinite(u.Roll!.MeanAbs));
        Assert.True(double.IsFinite(u.Side) && double.IsFinite(u.Mad), $"SIDE {u.Side}, MAD {u.Mad}");
        Assert.True(double.IsFinite(r.Distinctiveness));
        using var small = new Unsup3dModel(Tiny);
        Assert.Throws<EvaluationException>(() => ExactTruthProtocol.Evaluate(teacher, new Unsup3dTruthSubject(small), null, 4, seed: 3));
    }
}
