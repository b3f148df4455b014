using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Tests.Lifting;
using LiftedGan.Tests.StyleGan2;
using LiftedGan.Training;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Training;

/// <summary>Each model plugs into <see cref="TrainingLoop"/>: a run through the loop equals the model's own steps.</summary>
public class ModelLoopTests
{
    static bool Same(nn.Module a, nn.Module b)
    {
        var sb = StateDict.Export(b);
        return StateDict.Export(a).All(kv => kv.Value.equal(sb[kv.Key]).all().item<bool>());
    }

    [Fact]
    public void StyleGanRunThroughTheLoopEqualsItsOwnStepsAndCheckpointsOnSchedule()
    {
        var dir = Directory.CreateTempSubdirectory("sg2-loop").FullName;
        try
        {
            var options = TrainerTests.TinyOptions(8) with { Batch = 2 };
            var source = new ShapesSource(8);
            using var direct = new StyleGanTrainer(options, source);
            for (int i = 0; i < 3; i++) direct.Step();
            using var looped = new StyleGanTrainer(options, source);
            var seen = new List<long>();
            StyleGanTrainingRun.Run(looped, new RunSettings(dir, 3, SampleEvery: 0, CheckpointEvery: 2, LogEvery: 1), p => seen.Add(p.Iteration));
            Assert.Equal(new long[] { 1, 2, 3 }, seen);
            Assert.True(Same(direct.G, looped.G) && Same(direct.GEma, looped.GEma));
            Assert.Equal(new[] { "000002.pt", "000003.pt" }, Directory.GetFiles(Path.Combine(dir, "checkpoint")).Select(Path.GetFileName).Order());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LiftRunThroughTheLoopEqualsItsOwnStepsAndNamesCheckpointsByEpoch()
    {
        var dir = Directory.CreateTempSubdirectory("lift-loop").FullName;
        try
        {
            var config = LiftingTrainerTests.Tiny with { Epochs = 2, StepsPerEpoch = 2, SummaryInterval = 1000 };
            using var direct = LiftingTrainerTests.TinyTrainer(config);
            var losses = Enumerable.Range(0, 3).Select(_ => direct.Step()["total"]).ToList();
            using var looped = LiftingTrainerTests.TinyTrainer(config);
            var seen = new List<(long, int, double)>();
            using var cancel = new CancellationTokenSource();
            LiftingRun.Run(looped, dir, checkpointEvery: 0, p =>
            {
                seen.Add((p.Step, p.Epoch, p.Losses["total"]));
                if (p.Step == 3) cancel.Cancel();
            }, cancel.Token);
            Assert.Equal(new[] { (1L, 0, losses[0]), (2L, 1, losses[1]), (3L, 1, losses[2]) }, seen);
            Assert.True(Same(direct.Model.Composer, looped.Model.Composer));
            // Epoch 1 complete, then step 3 of epoch 2 saved at the cancellation.
            Assert.Equal(new[] { "checkpoint_001.pth", "checkpoint_002.pth" }, Directory.GetFiles(dir, "*.pth").Select(Path.GetFileName).Order());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EstimatorFileRunThroughTheLoopEqualsItsOwnStepsAndLogsTheLoss()
    {
        var path = Path.Combine(Path.GetTempPath(), $"estimator-loop-{Guid.NewGuid():N}.pt");
        try
        {
            var o = new PoseDepthTrainingOptions { Size = 32, Width = 4, Steps = 3, Batch = 2, Seed = 4 };
            using var direct = new PoseDepthTrainer(o);
            using var directNet = direct.Net;
            var losses = Enumerable.Range(0, 3).Select(_ => direct.TrainStep()).ToList();
            using var looped = new PoseDepthTrainer(o);
            using var loopedNet = looped.Net;
            PoseDepthTraining.Run(looped, path, checkpointEvery: 2);
            Assert.True(Same(directNet, loopedNet));
            var csv = File.ReadAllLines(Path.ChangeExtension(path, ".loss.csv"));
            Assert.Equal("step,loss", csv[0]);
            Assert.Equal(losses.Select((l, i) => $"{i + 1},{l.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}"), csv.Skip(1));
            using var resumed = PoseDepthTrainer.Resume(path, o);
            using var resumedNet = resumed.Net;
            Assert.Equal(3, resumed.Step);
        }
        finally
        {
            File.Delete(path);
            File.Delete(Path.ChangeExtension(path, ".loss.csv"));
        }
    }

    [Fact]
    public void IdentityEmbeddingAndComposerWarmStartStepThroughTheLoopDeterministically()
    {
        var o = new IdentityTrainingOptions { Identities = 4, ViewsPerIdentity = 2, Size = 32, Steps = 3, Batch = 4, Width = 4, Dimension = 8, Seed = 2 };
        var steps = new List<int>();
        var first = new List<double>();
        var second = new List<double>();
        using (var a = IdentityEmbeddingTraining.Train(o, (s, l) => { steps.Add(s); first.Add(l); }))
        using (var b = IdentityEmbeddingTraining.Train(o, (_, l) => second.Add(l)))
            Assert.True(Same(a, b));
        Assert.Equal(new[] { 1, 2, 3 }, steps);
        Assert.Equal(first, second);

        using var x = LiftingTrainerTests.TinyTrainer();
        using var y = LiftingTrainerTests.TinyTrainer();
        Assert.Equal(ComposerWarmup.Run(x.Model, x.Statistics, 3, seed: 1), ComposerWarmup.Run(y.Model, y.Statistics, 3, seed: 1));
        Assert.True(Same(x.Model.Composer, y.Model.Composer));
    }
}
