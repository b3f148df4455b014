using LiftedGan.Demo;
using LiftedGan.Lifting;
using LiftedGan.Tests.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Demo;

/// <summary>The demo's exact-truth section (<see cref="DemoTruth"/>) on a tiny world-fit teacher and a 2-step lift of it.</summary>
public class DemoTruthTests
{
    /// <summary>Saves a tiny 32 px teacher into <paramref name="dir"/>, lifts it for <paramref name="steps"/> steps and opens the sampler.</summary>
    static LiftedSampler LiftedTeacher(string dir, int styleDim, bool worldFit, int steps)
    {
        string teacher;
        using (var g = SupervisedTruthTests.WorldTeacher(size: 32, styleDim: styleDim))
            teacher = SupervisedTruthTests.SaveTeacher(g, Path.Combine(dir, "teacher.pt"), worldFit);
        var run = Path.Combine(dir, "run");
        var config = SupervisedTruthTests.Config.ForTeacher(styleDim) with
        {
            Objective = LiftingObjective.Unsupervised, Epochs = 1, StepsPerEpoch = steps, BatchSize = 2, AlbedoRankWeight = 0,
        };
        using (var trainer = LiftingRun.Open(config, new LiftingInputs(teacher, run, null, null), _ => { }))
            LiftingRun.Run(trainer, run);
        return LiftedSampler.Open(LiftingRun.LatestCheckpoint(run)!, teacher);
    }

    [Fact]
    public void WritesTheTruthGridAndOneAngleRowPerFace()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-demo-truth").FullName;
        try
        {
            using var sampler = LiftedTeacher(dir, styleDim: 64, worldFit: true, steps: 2);
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
            using var sampler = LiftedTeacher(dir, styleDim: 32, worldFit: false, steps: 1);
            using var z = sampler.RandomLatents(2, 5);
            var e = Assert.Throws<DemoException>(() => DemoTruth.Write(sampler, z, dir));
            Assert.Contains("not a world-fit teacher", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
