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
            // 9 rows x 3 faces of 32 px, with the grid's padding between tiles.
            Assert.Equal(9, DemoTruth.Rows.Count);
            Assert.True(grid.shape[1] >= 9 * 32 && grid.shape[1] < 10 * 32, $"height {grid.shape[1]}");
            Assert.True(grid.shape[2] >= 3 * 32 && grid.shape[2] < 4 * 32, $"width {grid.shape[2]}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void OwnShapeIsWhiteForIdenticalFacesAndColoursWhatDiffers()
    {
        using var mask = ones(3, 8, 8, dtype: ScalarType.Bool);
        mask[0, 0, 0] = tensor(false);  // off the common mask in every map
        using var same = (ones(3, 8, 8) * 0.97f + arange(8).to(ScalarType.Float32).unsqueeze(0) * 0.001f).contiguous();
        using var white = DemoTruth.OwnShape(same.unsqueeze(0).expand(3, -1, -1, -1)[.., 0].clone(), mask);
        Assert.Equal(1.0, white[.., .., 1.., ..].min().item<float>(), 5);      // every face alike: white everywhere on the mask
        Assert.Equal(-1.0, white[.., .., 0, 0].max().item<float>(), 5);       // black off it
        using var depth = ones(3, 8, 8) * 0.97f;
        depth[0, 3, 3] = tensor(0.95f);  // face 0 has a nearer bump: red there (R 1, B < 1)
        using var coloured = DemoTruth.OwnShape(depth, mask);
        Assert.Equal(1.0, coloured[0, 0, 3, 3].item<float>(), 5);
        Assert.True(coloured[0, 2, 3, 3].item<float>() < 0.5, "nearer than the average face must be red, not white");
        Assert.True(coloured[1, 0, 3, 3].item<float>() < coloured[1, 2, 3, 3].item<float>(), "the other faces are farther there than the average: blue");
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
