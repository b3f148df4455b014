using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.StyleGan2;
using LiftedGan.Tests.Export;
using LiftedGan.Tests.StyleGan2;
using LiftedGan.Torch;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Packing;

[Collection(LiftFixture.Collection)]
public class ModelPackerTests(LiftFixture fixture)
{
    static float MaxDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    static float MeanDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().mean();
        return d.item<float>();
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    static IReadOnlyList<object?> TopKeys(string path)
    {
        var root = (PyDict)TorchCheckpoint.Load(path)!;
        try { return root.Keys.ToList(); }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    static ScalarType[] FloatTypes(string path)
    {
        var root = TorchCheckpoint.Load(path);
        try { return ValueGraph.Tensors(root).Where(t => t.is_floating_point()).Select(t => t.dtype).Distinct().ToArray(); }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    static Tensor Images(StyleGenerator g)
    {
        using var _ = no_grad();
        using var z = randn(new long[] { 4, g.Config.StyleDim }, generator: new Generator(5));
        var output = g.Generate(new[] { z }, new GenerateOptions { RandomizeNoise = false });
        return output.Image.detach().clone();
    }

    [Fact]
    public void StyleGanTrainingCheckpointPacksToGEmaThatGeneratesTheSameImages()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-sg").FullName;
        try
        {
            string full = Path.Combine(dir, "000001.pt"), packed = Path.Combine(dir, "g32.pt"), half = Path.Combine(dir, "g16.pt");
            using (var t = new StyleGanTrainer(TrainerTests.TinyOptions(), new ShapesSource(16)))
            {
                t.Step();
                StyleGanCheckpoint.Save(full, t);
            }
            var r32 = ModelPacker.Pack(full, packed, half: false);
            var r16 = ModelPacker.Pack(full, half, half: true);
            Assert.Equal(PackedModelKind.StyleGan, r32.Kind);
            Assert.Equal(new object?[] { "g_ema", "args" }, TopKeys(packed));
            Assert.Equal(new[] { ScalarType.Float32 }, FloatTypes(packed));
            Assert.Equal(new[] { ScalarType.Float16 }, FloatTypes(half));
            Assert.Equal(r16.Tensors, r16.HalfTensors);
            // g_ema alone vs g, d, g_ema and two Adam states: about 1/7 of the file; float16 halves it again.
            Assert.True(r32.Ratio > 4, $"fp32 pack only {r32.Ratio:F2}x smaller");
            Assert.True(r16.Ratio > 8, $"fp16 pack only {r16.Ratio:F2}x smaller");
            Assert.Equal(new FileInfo(full).Length, r32.InputBytes);

            using var original = StyleGanCheckpoint.LoadGenerator(full);
            using var from32 = StyleGanCheckpoint.LoadGenerator(packed);
            using var from16 = StyleGanCheckpoint.LoadGenerator(half);
            Assert.All(from16.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            using var a = Images(original);
            using var b = Images(from32);
            using var c = Images(from16);
            Assert.True(Same(a, b), "fp32 pack must give bitwise equal images");
            float d16 = MaxDiff(a, c);
            Assert.True(d16 > 0, "fp16 storage should change the weights a little");
            Assert.True(d16 < 0.05, $"fp16 pack differs by {d16}");
            // The training options are kept for whoever rebuilds the run.
            Assert.Equal(16, StyleGanCheckpoint.ReadOptions(packed).Generator.Size);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LiftCheckpointPacksToNetworksWithItsConfigAndRendersTheSameFaces()
    {
        string dir = fixture.NewPath("pack-lift");
        string packed = Path.Combine(dir, "fp32", "lift.pth"), half = Path.Combine(dir, "fp16", "lift.pth");
        var r32 = ModelPacker.Pack(fixture.Checkpoint, packed, half: false);
        var r16 = ModelPacker.Pack(fixture.Checkpoint, half, half: true);
        Assert.Equal(PackedModelKind.Lift, r32.Kind);
        Assert.DoesNotContain("optimizer", TopKeys(packed));
        Assert.Contains(LiftedCheckpoint.EmbeddedConfigKey, TopKeys(packed));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(packed)!, LiftedCheckpoint.ConfigFileName), r32.SidecarPath);
        Assert.Equal(LiftedCheckpoint.ReadConfigBeside(fixture.Checkpoint), LiftedCheckpoint.ReadConfigBeside(packed));
        // Networks without the two Adam moments: about a third; float16 halves it again.
        Assert.True(r32.Ratio > 2.5, $"fp32 pack only {r32.Ratio:F2}x smaller");
        Assert.True(r16.Ratio > 5, $"fp16 pack only {r16.Ratio:F2}x smaller");
        // The embedded config is enough: no json beside the fp16 file.
        File.Delete(Path.Combine(Path.GetDirectoryName(half)!, LiftedCheckpoint.ConfigFileName));

        using var original = LiftedSampler.Open(fixture.Checkpoint, fixture.Teacher);
        using var from32 = LiftedSampler.Open(packed, fixture.Teacher);
        using var from16 = LiftedSampler.Open(half, fixture.Teacher);
        Assert.Equal(original.Model.Config, from16.Model.Config);
        using var z = original.RandomLatents(3, 11);
        using var a = original.Maps(z, 0.7);
        using var b = from32.Maps(z, 0.7);
        using var c = from16.Maps(z, 0.7);
        foreach (var ((name, ia), (_, ib), (_, ic)) in a.All.Zip(b.All, c.All))
        {
            Assert.True(Same(ia, ib), $"fp32 pack: {name} differs");
            // Mean, not max: a silhouette pixel may flip between face and background under a tiny depth change.
            Assert.True(MeanDiff(ia, ic) < 0.01, $"fp16 pack: {name} differs by {MeanDiff(ia, ic)} on average");
        }
        Assert.True(MaxDiff(a.Depth, c.Depth) > 0, "fp16 storage should change the depth a little");
    }

    [Fact]
    public void ASecondLiftPackedIntoTheSameFolderDoesNotOverwriteTheFirstOnesConfig()
    {
        string dir = fixture.NewPath("pack-two-lifts");
        string first = Path.Combine(dir, "first.pth"), second = Path.Combine(dir, "second.pth");
        ModelPacker.Pack(fixture.Checkpoint, first, half: true);
        string sidecar = Path.Combine(dir, LiftedCheckpoint.ConfigFileName);
        string firstConfig = File.ReadAllText(sidecar);

        // Another lift: the same networks under another config (its run folder's sidecar changed).
        string otherRun = fixture.NewPath("pack-other-run");
        Directory.CreateDirectory(otherRun);
        string otherCheckpoint = Path.Combine(otherRun, Path.GetFileName(fixture.Checkpoint));
        File.Copy(fixture.Checkpoint, otherCheckpoint);
        var otherConfig = LiftedCheckpoint.ReadConfigBeside(fixture.Checkpoint)! with { Seed = 12345 };
        File.WriteAllText(Path.Combine(otherRun, LiftedCheckpoint.ConfigFileName), otherConfig.ToJson());

        var e = Assert.Throws<ModelPackException>(() => ModelPacker.Pack(otherCheckpoint, second, half: true));
        Assert.Contains("config of another lift", e.Message);
        Assert.Contains(second, e.Message);
        Assert.False(File.Exists(second));
        Assert.Equal(firstConfig, File.ReadAllText(sidecar));

        // Replacing the lift whose config it is, or packing the same config again, is allowed.
        ModelPacker.Pack(otherCheckpoint, first, half: true);
        Assert.Equal(otherConfig, LiftedCheckpoint.ReadConfigBeside(first));
        ModelPacker.Pack(otherCheckpoint, second, half: true);
        Assert.True(File.Exists(second));
    }

    [Fact]
    public void IdentityEmbeddingPacksWithItsLogAndEmbedsTheSameWay()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-id").FullName;
        try
        {
            string full = Path.Combine(dir, "identity.pt"), packed = Path.Combine(dir, "out", "id32.pt"), half = Path.Combine(dir, "out", "id16.pt");
            using (var net = SeededInit.Apply(new IdentityEmbeddingNetwork(64, 8, 16), 3)) IdentityEmbeddingTraining.Save(full, net, 8);
            File.WriteAllText(Path.ChangeExtension(full, ".json"), "{\"steps\": 1}");
            var r32 = ModelPacker.Pack(full, packed, half: false);
            var r16 = ModelPacker.Pack(full, half, half: true);
            Assert.Equal(PackedModelKind.Identity, r32.Kind);
            Assert.Equal("{\"steps\": 1}", File.ReadAllText(Path.ChangeExtension(half, ".json")));
            Assert.True(r16.Ratio > 1.7, $"fp16 pack only {r16.Ratio:F2}x smaller");

            using var images = rand(new long[] { 4, 3, 64, 64 }, generator: new Generator(9)) * 2 - 1;
            Tensor Embed(string path)
            {
                var e = PretrainedNetworks.LoadFaceEmbedding(path);
                using var _ = no_grad();
                var v = e.Embed(images);
                ((IDisposable)e).Dispose();
                return v;
            }
            using var a = Embed(full);
            using var b = Embed(packed);
            using var c = Embed(half);
            Assert.True(Same(a, b), "fp32 pack must embed bitwise equal");
            Assert.True(MaxDiff(a, c) < 0.02, $"fp16 pack differs by {MaxDiff(a, c)}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EstimatorTrainingCheckpointPacksWithoutOptimiserAndPredictsTheSame()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-est").FullName;
        try
        {
            string full = Path.Combine(dir, "estimator.pt"), packed = Path.Combine(dir, "out", "est.pt");
            using (var trainer = new LiftedGan.Evaluation.PoseDepthTrainer(new() { Size = 32, Width = 4, Steps = 1, Batch = 2, Seed = 5 }))
            {
                trainer.TrainStep();
                trainer.Save(full);
            }
            File.WriteAllText(Path.ChangeExtension(full, ".json"), "{\"held_out\": {}}");
            var r = ModelPacker.Pack(full, packed, half: false);
            Assert.Equal(PackedModelKind.Estimator, r.Kind);
            Assert.Equal(new object?[] { "pose_depth_estimator", "input_size", "width", "step", "options" }, TopKeys(packed));
            Assert.True(r.OutputBytes < r.InputBytes / 2, $"packed {r.OutputBytes} B of {r.InputBytes} B: the Adam state should be gone");
            Assert.Equal("{\"held_out\": {}}", File.ReadAllText(Path.ChangeExtension(packed, ".json")));

            using var images = rand(new long[] { 2, 3, 32, 32 }, generator: new Generator(4)) * 2 - 1;
            using var a = LiftedGan.Evaluation.PoseDepthTraining.Load(full);
            using var b = LiftedGan.Evaluation.PoseDepthTraining.Load(packed);
            using var pa = LiftedGan.Evaluation.PoseDepthTraining.Predict(a, images);
            using var pb = LiftedGan.Evaluation.PoseDepthTraining.Predict(b, images);
            Assert.True(Same(pa.Depth, pb.Depth) && Same(pa.Angles, pb.Angles), "fp32 pack must predict bitwise equal");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ExpressionEstimatorTrainingCheckpointPacksWithoutOptimiserAndPredictsTheSame()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-expr").FullName;
        try
        {
            string full = Path.Combine(dir, "expression.pt"), packed = Path.Combine(dir, "out", "expr.pt");
            using (var trainer = new LiftedGan.Evaluation.ExpressionTrainer(new() { Size = 32, Width = 4, Steps = 1, Batch = 2, Seed = 5 }))
            {
                LiftedGan.Evaluation.ExpressionTraining.Run(trainer, full, 1);
                trainer.Net.Dispose();
            }
            var r = ModelPacker.Pack(full, packed, half: false);
            Assert.Equal(PackedModelKind.ExpressionEstimator, r.Kind);
            Assert.Equal(new object?[] { "expression_estimator", "input_size", "width", "step", "options" }, TopKeys(packed));
            Assert.True(r.OutputBytes < r.InputBytes / 2, $"packed {r.OutputBytes} B of {r.InputBytes} B: the Adam state should be gone");

            using var images = rand(new long[] { 2, 3, 32, 32 }, generator: new Generator(4)) * 2 - 1;
            using var a = LiftedGan.Evaluation.ExpressionTraining.Load(full);
            using var b = LiftedGan.Evaluation.ExpressionTraining.Load(packed);
            using var pa = LiftedGan.Evaluation.ExpressionTraining.Predict(a, images, clamp: false);
            using var pb = LiftedGan.Evaluation.ExpressionTraining.Predict(b, images, clamp: false);
            Assert.True(Same(pa, pb), "fp32 pack must predict bitwise equal");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void OtherFilesAreRefusedWithTheReason()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-pack-bad").FullName;
        try
        {
            string other = Path.Combine(dir, "other.pt");
            var root = new PyDict();
            root.Set("weights", zeros(3));
            TorchCheckpoint.Save(other, root);
            var e = Assert.Throws<ModelPackException>(() => ModelPacker.Pack(other, Path.Combine(dir, "x.pt"), false));
            Assert.Contains("neither a StyleGAN2", e.Message);
            Assert.Throws<ModelPackException>(() => ModelPacker.Pack(other, other, false));
            Assert.Throws<ModelPackException>(() => ModelPacker.Pack(Path.Combine(dir, "missing.pt"), Path.Combine(dir, "x.pt"), false));

            var (code, _, err) = LiftFixture.Run("pack", other, "--out", Path.Combine(dir, "y.pt"));
            Assert.Equal(1, code);
            Assert.StartsWith($"liftedgan: error: {other}: neither", err);
            Assert.False(File.Exists(Path.Combine(dir, "y.pt")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PackCommandReportsSizes()
    {
        string dir = fixture.NewPath("pack-cli");
        var (code, output, err) = LiftFixture.Run("pack", fixture.Teacher, "--fp16", "--out", Path.Combine(dir, "t.pt"));
        Assert.True(code == 0, err);
        Assert.Contains("packed StyleGan", output);
        Assert.Contains("as float16", output);
        Assert.Equal(new[] { ScalarType.Float16 }, FloatTypes(Path.Combine(dir, "t.pt")));

        // A lift copied away from its run folder has no config to keep: packing says so.
        string lone = Path.Combine(dir, "lone.pth");
        File.Copy(fixture.Checkpoint, lone);
        var (code2, output2, err2) = LiftFixture.Run("pack", lone, "--out", Path.Combine(dir, "packed", "lone.pth"));
        Assert.True(code2 == 0, err2);
        Assert.Contains("warning: " + lone + ": no config embedded", output2);
    }
}
