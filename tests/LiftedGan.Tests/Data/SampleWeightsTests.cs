using LiftedGan.Data;
using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Data;

/// <summary>Sampling weights of an image folder: `data balance` from a judge's angles, and the StyleGAN2 folder source drawing by them.</summary>
public class SampleWeightsTests
{
    static string Temp(string name) => Directory.CreateTempSubdirectory($"liftedgan-weights-{name}-").FullName;

    [Fact]
    public void BalanceFlattensTheAngleDistributionWithinTheCap()
    {
        // 90 frontal faces, 9 at 20°, 1 at −40°.
        var angles = Enumerable.Repeat(0.0, 90).Concat(Enumerable.Repeat(20.0, 9)).Append(-40.0).ToList();
        var flat = SampleWeights.Balance(angles, binWidth: 5, power: 1, maxWeight: 1000);
        Assert.Equal(1.0, flat.Weights.Average(), 9);
        // power 1: each occupied bin drawn equally often (a third each).
        Assert.Equal(1.0 / 3, flat.Weights.Take(90).Sum() / flat.Weights.Sum(), 6);
        Assert.Equal(2.0 / 3, flat.Weighted[0].Beyond15, 6);
        Assert.Equal(1.0 / 3, flat.Weighted[0].Beyond30, 6);
        Assert.Equal(0.10, flat.Uniform[0].Beyond15, 9);
        Assert.True(flat.Weighted[0].Std > flat.Uniform[0].Std);
        // The cap: no weight above 5× the mean, the mean still 1, and the order of the weights kept.
        var capped = SampleWeights.Balance(angles, binWidth: 5, power: 1, maxWeight: 5);
        Assert.True(capped.Weights.Max() <= 5 + 1e-9, $"{capped.Weights.Max()}");
        Assert.Equal(1.0, capped.Weights.Average(), 9);
        Assert.True(capped.Weights[99] >= capped.Weights[90] && capped.Weights[90] > capped.Weights[0]);
        // power 0: the data's own distribution.
        var uniform = SampleWeights.Balance(angles, power: 0);
        Assert.All(uniform.Weights, w => Assert.Equal(1.0, w, 9));
        Assert.Equal(uniform.Uniform[0], uniform.Weighted[0]);
        // Joint bins: yaw and pitch together, each occupied (yaw, pitch) cell drawn equally often.
        var joint = SampleWeights.Balance(new List<double[]> { new[] { 0.0, 0 }, new[] { 0.0, 0 }, new[] { 0.0, 0 }, new[] { 0.0, 20 }, new[] { 20.0, 0 } }, power: 1, maxWeight: 100);
        Assert.Equal(2, joint.Uniform.Count);
        Assert.Equal(1.0 / 3, joint.Weighted[1].Beyond15, 6);
        Assert.Equal(1.0 / 3, joint.Weighted[0].Beyond15, 6);
        Assert.Throws<DataPreparationException>(() => SampleWeights.Balance(new List<double[]> { new[] { 0.0 }, new[] { 0.0, 1 } }));
        var spread = AngleSpread.Of([-20.0, 0, 20, 40]);
        Assert.Equal((10.0, Math.Sqrt(500), 0.75, 0.25), (spread.Mean, spread.Std, spread.Beyond15, spread.Beyond30));
        Assert.Equal(1.0, AngleSpread.Of([-20.0, 0, 20, 40], [0.0, 0, 0, 1]).Beyond30);
        Assert.Throws<DataPreparationException>(() => SampleWeights.Balance(angles, binWidth: 0));
        Assert.Throws<DataPreparationException>(() => SampleWeights.Balance(angles, maxWeight: 0.5));
        Assert.Throws<DataPreparationException>(() => SampleWeights.Balance([1.0]));
    }

    [Fact]
    public void TheFolderSourceDrawsByTheWeightsAndRefusesWeightsOfAnotherFolder()
    {
        var dir = Temp("folder");
        try
        {
            LfwPreparation.Prepare(LfwPreparationTests.Sample, 64, dir, heldOutFraction: 0.25, seed: 3);
            string train = Path.Combine(dir, LfwPreparation.TrainSplit);
            var files = Directory.EnumerateFiles(train, "*.png", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(train, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();
            // All the weight on one image: every draw is that image.
            var weights = files.Select((f, i) => i == 5 ? 1.0 : 0.0).ToList();
            string csv = Path.Combine(dir, "weights.csv");
            SampleWeights.Write(csv, files, weights);
            using var source = new ImageFolderSource(train, 64, flip: false, SampleWeights.Read(csv), csv);
            using var uniformSource = new ImageFolderSource(train, 64, flip: false);
            using var g = new Generator(2);
            using var batch = source.Next(6, g);
            for (int i = 1; i < 6; i++) Assert.True(batch[i].eq(batch[0]).all().item<bool>(), "every draw must be the one weighted image");
            string other = Path.Combine(dir, "other.csv");
            SampleWeights.Write(other, files, files.Select((f, i) => i == 6 ? 1.0 : 0.0).ToList());
            using var otherSource = new ImageFolderSource(train, 64, flip: false, SampleWeights.Read(other), other);
            using var otherBatch = otherSource.Next(1, g);
            Assert.False(otherBatch[0].eq(batch[0]).all().item<bool>(), "another weighted image must be drawn instead");
            Assert.Contains("weighted by", source.Describe());
            Assert.DoesNotContain("weighted", uniformSource.Describe());

            // Weights made for another folder: a missing image and an unknown file are errors naming them.
            SampleWeights.Write(csv, files.Skip(1).ToList(), weights.Skip(1).ToList());
            var e = Assert.Throws<DataPreparationException>(() => new ImageFolderSource(train, 64, weights: SampleWeights.Read(csv), weightsName: csv));
            Assert.Contains(files[0], e.Message);
            SampleWeights.Write(csv, files.Append("someone/else.png").ToList(), weights.Append(1.0).ToList());
            e = Assert.Throws<DataPreparationException>(() => new ImageFolderSource(train, 64, weights: SampleWeights.Read(csv), weightsName: csv));
            Assert.Contains("someone/else.png", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadWeightAndPoseFilesAreTypedErrorsNamingTheFileAndLine()
    {
        var dir = Temp("bad");
        try
        {
            string Write(string name, string text) { var p = Path.Combine(dir, name); File.WriteAllText(p, text); return p; }
            var e = Assert.Throws<DataPreparationException>(() => SampleWeights.Read(Write("a.csv", "file,weight\na.png,-1\n")));
            Assert.Contains("line 2", e.Message);
            Assert.Contains("a.csv", e.Message);
            Assert.Throws<DataPreparationException>(() => SampleWeights.Read(Write("b.csv", "name,w\na.png,1\n")));
            Assert.Throws<DataPreparationException>(() => SampleWeights.Read(Write("c.csv", "file,weight\na.png,0\n")));
            Assert.Throws<DataPreparationException>(() => SampleWeights.Read(Write("d.csv", "file,weight\na.png,1\na.png,2\n")));
            Assert.Throws<DataPreparationException>(() => SampleWeights.Read(Path.Combine(dir, "missing.csv")));
            e = Assert.Throws<DataPreparationException>(() => SampleWeights.ReadAngles(Write("p.csv", "file,yaw,pitch,roll\na.png,1,2,3\nb.png,x,2,3\n"), "yaw"));
            Assert.Contains("line 3", e.Message);
            Assert.Throws<DataPreparationException>(() => SampleWeights.ReadAngles(Write("q.csv", "file,pitch\na.png,1\nb.png,2\n"), "yaw"));
            var rows = SampleWeights.ReadAngles(Write("r.csv", "file,yaw,pitch,roll\na.png,1.5,2,3\nb/c.png,-20,0,0\n"), "yaw");
            Assert.Equal(new[] { "a.png", "b/c.png" }, rows.Select(r => r.File));
            Assert.Equal(new[] { 1.5, -20.0 }, rows.Select(r => r.Angles[0]));
            var two = SampleWeights.ReadAngles(Path.Combine(dir, "r.csv"), "pitch", "yaw");
            Assert.Equal(new[] { 2.0, 1.5 }, two[0].Angles);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CliBalancesAJudgesAnglesAndTrainRefusesWeightsWithoutAFolder()
    {
        var dir = Temp("cli");
        try
        {
            var poses = Path.Combine(dir, "poses.csv");
            File.WriteAllLines(poses, new[] { "file,yaw,pitch,roll" }.Concat(Enumerable.Range(0, 40).Select(i => $"p{i}.png,{(i < 36 ? 0 : 25)},0,0")));
            string output = Path.Combine(dir, "w.csv");
            var (code, stdout, stderr) = CliRunner.OneThread("data", "balance", "--poses", poses, "--out", output, "--power", "1");
            Assert.True(code == 0, stderr);
            Assert.Contains("beyond ±15° 10.0 % -> 50.0 %", stdout);
            var weights = SampleWeights.Read(output);
            Assert.Equal(40, weights.Count);
            Assert.Equal(9.0, weights["p36.png"] / weights["p0.png"], 6);
            var bad = CliRunner.OneThread("data", "balance", "--poses", poses, "--out", output, "--column", "tilt");
            Assert.NotEqual(0, bad.Code);
            Assert.Contains("--column", bad.Err);
            var train = CliRunner.OneThread("stylegan", "train", "--data", "synth", "--out", Path.Combine(dir, "run"), "--sample-weights", output, "--steps", "1");
            Assert.NotEqual(0, train.Code);
            Assert.Contains("--sample-weights", train.Err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
