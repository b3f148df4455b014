using LiftedGan.Checkpoints;
using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.StyleGan2;

public class CheckpointResumeTests
{
    static TrainOptions Options() => TrainerTests.TinyOptions() with
    {
        Batch = 4, DRegEvery = 2, GRegEvery = 2, Augment = true,
        Generator = TrainerTests.TinyOptions().Generator with { Size = 8 },
        Discriminator = TrainerTests.TinyOptions().Discriminator with { Size = 8 },
    };

    static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b, string what)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, t) in a)
            Assert.True(t.equal(b[k]).all().item<bool>(), $"{what}.{k} differs after resume");
    }

    [Fact]
    public void ResumedRunEqualsUninterruptedRunBitForBit()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-resume-{Guid.NewGuid():N}");
        try
        {
            var source = new ShapesSource(8);
            using var straight = new StyleGanTrainer(Options(), source);
            for (int i = 0; i < 5; i++) straight.Step();

            string ckpt;
            using (var first = new StyleGanTrainer(Options(), source))
            {
                for (int i = 0; i < 3; i++) first.Step();
                ckpt = StyleGanTrainingRun.WriteCheckpoint(first, dir);
            }
            Assert.Equal(Path.Combine(dir, "checkpoint", "000003.pt"), ckpt);
            using var resumed = StyleGanTrainingRun.Open(new TrainOptions(), source, dir);
            Assert.Equal(3, resumed.Iteration);
            for (int i = 0; i < 2; i++) resumed.Step();

            AssertSameTensors(StateDict.Export(straight.G), StateDict.Export(resumed.G), "g");
            AssertSameTensors(StateDict.Export(straight.D), StateDict.Export(resumed.D), "d");
            AssertSameTensors(StateDict.Export(straight.GEma), StateDict.Export(resumed.GEma), "g_ema");
            for (int i = 0; i < straight.GOptim.Count; i++) Assert.True(straight.GOptim.ExpAvgSq[i].equal(resumed.GOptim.ExpAvgSq[i]).all().item<bool>());
            Assert.Equal(straight.MeanPathLength, resumed.MeanPathLength);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void CheckpointHasOfficialLayoutAndGEmaLoadsAlone()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-layout-{Guid.NewGuid():N}");
        try
        {
            using var t = new StyleGanTrainer(Options(), new ShapesSource(8));
            t.Step();
            var path = StyleGanTrainingRun.WriteCheckpoint(t, dir);
            var root = (PyDict)TorchCheckpoint.Load(path)!;
            try
            {
                foreach (var key in new[] { "g_ema", "g", "d", "g_optim", "d_optim", "args" }) Assert.True(root.ContainsKey(key), key);
                var optim = (PyDict)root["g_optim"]!;
                Assert.True(optim.ContainsKey("state") && optim.ContainsKey("param_groups"));
            }
            finally { TorchCheckpoint.DisposeTensors(root); }

            // A file with only g_ema (no args) still loads: the architecture comes from the tensor shapes.
            var only = new PyDict();
            var gEma = new PyDict { IsOrdered = true };
            foreach (var (k, v) in StateDict.Export(t.GEma)) gEma.Set(k, v);
            only.Set("g_ema", gEma);
            var onlyPath = Path.Combine(dir, "g_ema_only.pt");
            TorchCheckpoint.Save(onlyPath, only);
            using var g = StyleGanCheckpoint.LoadGenerator(onlyPath);
            Assert.Equal(t.Options.Generator.Size, g.Config.Size);
            Assert.Equal(t.Options.Generator.StyleDim, g.Config.StyleDim);
            Assert.Equal(t.Options.Generator.MappingLayers, g.Config.MappingLayers);
            using var z = randn(2, t.Options.Generator.StyleDim);
            using var _ = no_grad();
            using var a = t.GEma.Generate([z], new GenerateOptions { RandomizeNoise = false }).Image;
            using var b = g.Generate([z], new GenerateOptions { RandomizeNoise = false }).Image;
            Assert.True(a.equal(b).all().item<bool>());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
