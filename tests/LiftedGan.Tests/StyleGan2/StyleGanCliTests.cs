using LiftedGan.IO;
using Xunit;

namespace LiftedGan.Tests.StyleGan2;

public class StyleGanCliTests
{
    [SkippableFact]
    public void GenerateWritesImagesAndNpyFromFixtureCheckpoint()
    {
        var ckpt = Shared.Fixture("stylegan2/g_small_legacy.pt");
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-cli-{Guid.NewGuid():N}");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = Cli.Program.Run(["stylegan", "generate", "--ckpt", ckpt, "--n", "3", "--seed", "4", "--truncation", "0.7",
                "--truncation-mean", "64", "--out", dir, "--save-npy", Path.Combine(dir, "out.npy")], stdout, stderr);
            Assert.True(rc == 0, stderr.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "0002.png")));
            Assert.True(File.Exists(Path.Combine(dir, "grid.png")));
            Assert.Equal(["0000.png", "0001.png", "0002.png"], File.ReadAllLines(Path.Combine(dir, "manifest.txt")));
            using var images = Npy.Load(Path.Combine(dir, "out.npy"));
            Assert.Equal(new long[] { 3, 3, 32, 32 }, images.shape);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void GenerateFromNonStyleGanFileIsOneErrorLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sg2-bad-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        try
        {
            var stderr = new StringWriter();
            int rc = Cli.Program.Run(["stylegan", "generate", "--ckpt", path], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.StartsWith("liftedgan: error:", stderr.ToString());
            Assert.Contains(path, stderr.ToString());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TrainWritesCheckpointSamplesAndResumes()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-train-{Guid.NewGuid():N}");
        try
        {
            string[] Args(int iters) => ["stylegan", "train", "--data", "synth", "--size", "8", "--out", dir, "--iter", iters.ToString(),
                "--batch", "2", "--style-dim", "16", "--n-mlp", "1", "--channels", "4:8,8:8", "--sample-every", "2", "--ckpt-every", "2"];
            var stderr = new StringWriter();
            Assert.True(Cli.Program.Run(Args(2), new StringWriter(), stderr) == 0, stderr.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "000002.pt")));
            Assert.True(File.Exists(Path.Combine(dir, "sample", "000002.png")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "tb"), "*", SearchOption.AllDirectories));
            var stdout = new StringWriter();
            Assert.True(Cli.Program.Run(Args(3), stdout, stderr) == 0, stderr.ToString());
            Assert.Contains("from step 2 to 3", stdout.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "000003.pt")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void AWorldFitRunResumesFromItsResumablePackWithoutData()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-worldfit-{Guid.NewGuid():N}");
        try
        {
            var stderr = new StringWriter();
            string[] first = ["stylegan", "train", "--objective", "world-fit", "--size", "32", "--style-dim", "64", "--n-mlp", "1",
                "--channels", "4:16,8:16,16:16,32:16", "--batch", "2", "--iter", "2", "--sample-every", "0", "--ckpt-every", "2", "--out", Path.Combine(dir, "a")];
            Assert.True(Cli.Program.Run(first, new StringWriter(), stderr) == 0, stderr.ToString());
            string packed = Path.Combine(dir, "resumable.pt");
            Assert.True(Cli.Program.Run(["pack", Path.Combine(dir, "a", "checkpoint", "000002.pt"), "--resumable", "--out", packed], new StringWriter(), stderr) == 0, stderr.ToString());
            // No --data, no --size: the resumed run's stored objective and size decide.
            var stdout = new StringWriter();
            Assert.True(Cli.Program.Run(["stylegan", "train", "--resume", packed, "--iter", "3", "--sample-every", "0", "--out", Path.Combine(dir, "b")], stdout, stderr) == 0, stderr.ToString());
            Assert.Contains("from step 2 to 3", stdout.ToString());
            Assert.Contains("Adam's moments start afresh", stdout.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "b", "checkpoint", "000003.pt")));
            Assert.Equal(0.002, LiftedGan.StyleGan2.StyleGanCheckpoint.ReadOptions(Path.Combine(dir, "b", "checkpoint", "000003.pt")).Lr);

            // An explicit --lr on resume changes the schedule from that step on and is stored with the run.
            stdout = new StringWriter();
            Assert.True(Cli.Program.Run(["stylegan", "train", "--iter", "4", "--lr", "0.006", "--sample-every", "0", "--out", Path.Combine(dir, "b")], stdout, stderr) == 0, stderr.ToString());
            Assert.Contains("learning rate 0.002 -> 0.006 from step 3", stdout.ToString());
            var resumed = LiftedGan.StyleGan2.StyleGanCheckpoint.ReadOptions(Path.Combine(dir, "b", "checkpoint", "000004.pt"));
            Assert.Equal(0.006, resumed.Lr);
            Assert.Equal(LiftedGan.StyleGan2.TrainObjective.WorldFit, resumed.Objective);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void TrainOnEmptyFolderNamesTheFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sg2-empty-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var stderr = new StringWriter();
            int rc = Cli.Program.Run(["stylegan", "train", "--data", dir, "--size", "8", "--out", Path.Combine(dir, "run")], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.Contains(dir, stderr.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }
}
