using LiftedGan.Cli;
using LiftedGan.IO;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.IO;

public class TensorBoardScalarsTests
{
    static string WriteRun(string dir)
    {
        TorchRuntime.EnsureLoaded();
        var writer = torch.utils.tensorboard.SummaryWriter(dir);
        for (int step = 0; step < 30; step++)
        {
            writer.add_scalar("loss/d", 1f / (step + 1), step);
            writer.add_scalar("loss/g", 0.5f * step, step);
        }
        writer.add_histogram("h", torch.arange(10).to(torch.float32), 1);
        return Directory.GetFiles(dir, "events.out.tfevents.*").Single();
    }

    [Fact]
    public void ScalarsWrittenBySummaryWriterReadBackExactly()
    {
        var dir = Directory.CreateTempSubdirectory("tb-read").FullName;
        WriteRun(dir);
        var scalars = TensorBoardScalars.Read(dir);
        Assert.Equal(30, scalars["loss/d"].Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(s => (long)s), scalars["loss/g"].Select(p => p.Step));
        Assert.Equal(Enumerable.Range(0, 30).Select(s => 0.5f * s), scalars["loss/g"].Select(p => p.Value));
        Assert.Equal(1f / 7, scalars["loss/d"][6].Value);
        Assert.False(scalars.ContainsKey("h"));
        Assert.True(scalars["loss/d"][0].WallTime > 1.6e9);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ACutOffTailIsIgnoredAndACorruptRecordIsReported()
    {
        var dir = Directory.CreateTempSubdirectory("tb-bad").FullName;
        var file = WriteRun(dir);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^7]); // a writer still appending
        int kept = TensorBoardScalars.Read(file)["loss/g"].Count;
        Assert.InRange(kept, 25, 30);

        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<TensorBoardFormatException>(() => TensorBoardScalars.Read(file));
        Assert.Contains("CRC mismatch", e.Message);
        Assert.Throws<TensorBoardFormatException>(() => TensorBoardScalars.Read(Path.Combine(dir, "missing")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void PlotCommandDrawsSmoothedCurvesAndListsUnknownTags()
    {
        var dir = Directory.CreateTempSubdirectory("tb-plot").FullName;
        WriteRun(Path.Combine(dir, "tb"));
        var png = Path.Combine(dir, "curve.png");
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "plot", "--tb", Path.Combine(dir, "tb"), "--tags", "loss/d,loss/g", "--smooth", "5", "--out", png }, o, e));
        Assert.True(new FileInfo(png).Length > 100);
        var csv = File.ReadAllLines(Path.ChangeExtension(png, ".csv"));
        Assert.Equal(61, csv.Length);
        // Trailing mean of 0.5·step over steps 25..29 = 13.5.
        Assert.EndsWith(",13.5", csv.Last(l => l.StartsWith("loss/g,29,", StringComparison.Ordinal)));
        Assert.NotEqual(0, Program.Run(new[] { "plot", "--tb", Path.Combine(dir, "tb"), "--tags", "loss/x", "--out", png }, o, e));
        Assert.Contains("loss/d, loss/g", e.ToString());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void PlotCommandReadsACsvLogAndRejectsBadRows()
    {
        var dir = Directory.CreateTempSubdirectory("csv-plot").FullName;
        var log = Path.Combine(dir, "run.loss.csv");
        File.WriteAllText(log, "step,loss\n1,4\n2,2\n3,6\n");
        var png = Path.Combine(dir, "curve.png");
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "plot", "--csv", log, "--tags", "loss", "--smooth", "2", "--out", png }, o, e));
        Assert.True(new FileInfo(png).Length > 100);
        Assert.EndsWith(",4", File.ReadAllLines(Path.ChangeExtension(png, ".csv")).Last());
        File.WriteAllText(log, "step,loss\n1,4\n2,abc\n");
        Assert.NotEqual(0, Program.Run(new[] { "plot", "--csv", log, "--tags", "loss", "--out", png }, o, e));
        Assert.Contains("line 3", e.ToString());
        Assert.NotEqual(0, Program.Run(new[] { "plot", "--csv", log, "--tb", dir, "--tags", "loss", "--out", png }, o, e));
        Assert.Contains("exactly one of --tb and --csv", e.ToString());
        Directory.Delete(dir, true);
    }
}
