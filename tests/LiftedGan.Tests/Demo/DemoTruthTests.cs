using LiftedGan.Demo;
using LiftedGan.Lifting;
using LiftedGan.Tests.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Demo;

/// <summary>The demo's exact-truth section (<see cref="DemoTruth"/>) on a tiny world-fit teacher and a 2-step lift of it.</summary>
public class DemoTruthTests
{
    [Fact]
    public void WritesTheTruthGridAndOneAngleRowPerFace()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-demo-truth").FullName;
        try
        {
            string teacher;
            using (var g = SupervisedTruthTests.WorldTeacher(size: 32))
                teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit: true);
            var run = Path.Combine(dir, "run");
            var config = SupervisedTruthTests.Config with { Objective = LiftingObjective.Unsupervised, Epochs = 1, StepsPerEpoch = 2, BatchSize = 2, AlbedoRankWeight = 0 };
            using (var trainer = LiftingRun.Open(config, new LiftingInputs(teacher, run, null, null), _ => { }))
                LiftingRun.Run(trainer, run);
            using var sampler = LiftedSampler.Open(LiftingRun.LatestCheckpoint(run)!, teacher);
            using var z = sampler.RandomLatents(3, 5);

            var section = DemoTruth.Write(sampler, z, dir);

            Assert.Equal(3, section.Table!.Rows.Count);
            Assert.All(section.Table.Rows, r => Assert.Equal(4, r.Count));
            var png = Path.Combine(dir, "truth", "truth.png");
            Assert.True(File.Exists(png) && File.Exists(Path.Combine(dir, "truth", "truth.gif")));
            using var grid = LiftedGan.Imaging.ImageIO.Load(png);
            // 7 rows x 3 faces of 32 px, with the grid's padding between tiles.
            Assert.True(grid.shape[1] >= 7 * 32 && grid.shape[1] < 8 * 32, $"height {grid.shape[1]}");
            Assert.True(grid.shape[2] >= 3 * 32 && grid.shape[2] < 4 * 32, $"width {grid.shape[2]}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RefusesATeacherWhoseLatentCannotCarryTheWorldMap()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-demo-truth").FullName;
        try
        {
            string teacher;
            using (var g = SupervisedTruthTests.WorldTeacher(size: 32, styleDim: 32))
                teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit: false);
            var run = Path.Combine(dir, "run");
            var config = SupervisedTruthTests.Config.ForTeacher(32) with { Objective = LiftingObjective.Unsupervised, Epochs = 1, StepsPerEpoch = 1, BatchSize = 2, AlbedoRankWeight = 0 };
            using (var trainer = LiftingRun.Open(config, new LiftingInputs(teacher, run, null, null), _ => { }))
                LiftingRun.Run(trainer, run);
            using var sampler = LiftedSampler.Open(LiftingRun.LatestCheckpoint(run)!, teacher);
            using var z = sampler.RandomLatents(2, 5);
            var e = Assert.Throws<DemoException>(() => DemoTruth.Write(sampler, z, dir));
            Assert.Contains("not a world-fit teacher", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
