using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

/// <summary>A tiny preset (16 px, narrow nets, random teacher) exercising the whole training step.</summary>
public class LiftingTrainerTests
{
    internal static readonly LiftingConfig Tiny = LiftingConfig.Synth64 with
    {
        Preset = "tiny_16", ImageSize = 16, StyleDim = 16, MlpHidden = 32, DepthSeedDim = 16, DecoderBaseChannels = 8,
        BlurSize = 2, BlurSigma = 0.5, RankDownsample = 1, PerceptualScales = 1, BatchSize = 4, LearningRate = 1e-3,
        StatisticsSamples = 512, Seed = 3,
    };

    internal static StyleGenerator TinyTeacher(ulong seed = 5) => new(new GeneratorConfig
    {
        Size = 16, StyleDim = 16, MappingLayers = 2,
        Channels = new Dictionary<int, int> { [4] = 16, [8] = 16, [16] = 8 },
    }, new torch.Generator(seed));

    internal static LiftingTrainer TinyTrainer(LiftingConfig? config = null, StyleGenerator? teacher = null)
    {
        var c = config ?? Tiny;
        var model = new LiftedGenerator(teacher ?? TinyTeacher(), c);
        var stats = StyleStatistics.Compute(model.Teacher, c.StatisticsSamples, c.Seed);
        var perceptual = new PerceptualLoss(Vgg16Features.RandomFeatures(0), scales: c.PerceptualScales, slices: new[] { 1 });
        return new LiftingTrainer(model, stats, perceptual, new LResNetStub());
    }

    /// <summary>A deterministic differentiable unit-vector embedding for 16 px images (pooling + fixed projection).</summary>
    sealed class LResNetStub : IFaceEmbedding
    {
        readonly torch.Tensor _projection = torch.randn(3 * 4 * 4, 8, generator: new torch.Generator(1));
        public long Dimension => 8;
        public torch.Tensor Embed(torch.Tensor images) =>
            torch.nn.functional.normalize(torch.nn.functional.adaptive_avg_pool2d(images, 4).flatten(1).matmul(_projection), 2.0, 1);
    }

    [Fact]
    public void ComposerWarmStartFitsTheIdentityDeterministically()
    {
        using var first = TinyTrainer();
        using var a = TinyTrainer();
        using var b = TinyTrainer();
        double initial = ComposerWarmup.Run(first.Model, first.Statistics, 1, seed: 3); // the loss is taken before the update
        double ea = ComposerWarmup.Run(a.Model, a.Statistics, 300, seed: 3);
        double eb = ComposerWarmup.Run(b.Model, b.Statistics, 300, seed: 3);
        Assert.Equal(ea, eb);
        Assert.True(ea < 0.2 * initial, $"relative error {initial:F4} -> {ea:F4}");
        using var w = a.Model.Teacher.Map(torch.randn(4, 16, generator: new torch.Generator(8)));
        using var light = torch.tensor(new[] { 0.3f, -0.2f, 0, 0 }).expand(4, 4);
        using var fitted = a.Model.Composer.forward(w, light, torch.zeros(4, 6));
        Assert.True(torch.nn.functional.cosine_similarity(fitted, w, 1).min().item<float>() > 0.8, "M(w, L0, 0) should point along w");
        Assert.Throws<ArgumentException>(() => ComposerWarmup.Run(a.Model, a.Statistics, 0, 3));
    }

    [Fact]
    public void TotalLossFallsOverAFewDozenSteps()
    {
        using var trainer = TinyTrainer();
        var totals = new List<double>();
        for (int i = 0; i < 36; i++)
        {
            var losses = trainer.Step();
            Assert.All(new[] { "reconstruction", "perturb_image", "perturb_param", "style_prior", "albedo_rank", "perturb_image_a" },
                k => Assert.True(losses.ContainsKey(k), k));
            totals.Add(losses["total"]);
        }
        double first = totals.Take(6).Average(), last = totals.Skip(30).Average();
        Assert.True(last < 0.9 * first, $"total loss {first:F4} → {last:F4}");
    }

    [Fact]
    public void ResumeReproducesAnUninterruptedRunExactly()
    {
        var dir = Directory.CreateTempSubdirectory("lift-resume").FullName;
        string ckpt = Path.Combine(dir, "checkpoint_001.pth");
        using var straight = TinyTrainer();
        for (int i = 0; i < 4; i++) straight.Step();

        using (var first = TinyTrainer())
        {
            for (int i = 0; i < 2; i++) first.Step();
            first.SaveCheckpoint(ckpt);
        }
        using var resumed = TinyTrainer();
        resumed.Resume(ckpt);
        Assert.Equal(2, resumed.GlobalStep);
        for (int i = 0; i < 2; i++) resumed.Step();

        foreach (var ((key, a), (_, b)) in straight.Model.Networks.Zip(resumed.Model.Networks))
            foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
                Assert.True(pa.eq(pb).all().item<bool>(), $"{key}.{name} differs after resume");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void CheckpointHasTheOfficialLayoutAndLoadsBackIdentically()
    {
        var dir = Directory.CreateTempSubdirectory("lift-ckpt").FullName;
        string ckpt = Path.Combine(dir, "checkpoint_001.pth");
        using var trainer = TinyTrainer();
        trainer.Step();
        trainer.Epoch = 1;
        trainer.SaveCheckpoint(ckpt);
        var root = (PyDict)TorchCheckpoint.Load(ckpt)!;
        // The official keys, then the training time (our addition, ignored by the official loader).
        Assert.Equal(new object?[] { "netD", "netT", "netSD", "netSC", "optimizer", "global_step", "epoch", LiftingTrainer.TrainSecondsKey }, root.Keys);
        Assert.True(root[LiftingTrainer.TrainSecondsKey] is double seconds && seconds > 0 && seconds == trainer.TrainSeconds);
        var opt = (PyDict)root["optimizer"]!;
        var group = (PyDict)((List<object?>)opt["param_groups"]!)[0]!;
        Assert.Equal(5e-4, group["weight_decay"]);
        int total = trainer.Model.Networks.Sum(n => n.Module.parameters().Count());
        Assert.Equal(total, ((List<object?>)group["params"]!).Count);
        // The decomposer's style head never trains, so it has no optimiser state (as officially).
        int styleHead = trainer.Model.Decomposer.named_parameters().Count(p => p.name.StartsWith("model_style"));
        Assert.Equal(total - styleHead, ((PyDict)opt["state"]!).Count);
        TorchCheckpoint.DisposeTensors(root);
        Assert.True(File.Exists(Path.Combine(dir, LiftedCheckpoint.ConfigFileName)));
        Assert.Equal(trainer.Config, LiftedCheckpoint.ReadConfigBeside(ckpt));

        using var other = TinyTrainer(teacher: TinyTeacher());
        other.Resume(ckpt);
        Assert.Equal(1, other.Epoch);
        Assert.Equal(trainer.TrainSeconds, other.TrainSeconds);
        foreach (var ((key, a), (_, b)) in trainer.Model.Networks.Zip(other.Model.Networks))
            foreach (var ((name, ta), (_, tb)) in a.state_dict().Zip(b.state_dict()))
                Assert.True(ta.eq(tb).all().item<bool>(), $"{key}.{name}");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void NonFiniteLossStopsWithoutTouchingTheWeights()
    {
        using var trainer = TinyTrainer();
        using (torch.no_grad())
            trainer.Model.Teacher.parameters().First(p => p.dim() == 2).fill_(float.NaN);
        var before = trainer.Model.DepthDecoder.parameters().Select(p => p.clone()).ToList();
        Assert.Throws<LiftingDivergedException>(() => trainer.Step());
        foreach (var (a, b) in before.Zip(trainer.Model.DepthDecoder.parameters()))
            Assert.True(a.eq(b).all().item<bool>());
        Assert.Equal(0, trainer.GlobalStep);
    }

    [Fact]
    public void ATeacherOfTheWrongSizeIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new LiftedGenerator(TinyTeacher(), LiftingConfig.Synth64));
        Assert.Contains("synth_64", e.Message);
    }

    [Fact]
    public void AStyleGanCheckpointIsNotALift()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sg-{Guid.NewGuid():N}.pt");
        var root = new PyDict();
        root.Set("g_ema", StateDict.Export(TinyTeacher()));
        TorchCheckpoint.Save(path, root);
        using var trainer = TinyTrainer();
        var e = Assert.Throws<CheckpointFormatException>(() => trainer.Resume(path));
        Assert.Contains("StyleGAN2", e.Message);
        File.Delete(path);
    }
}
