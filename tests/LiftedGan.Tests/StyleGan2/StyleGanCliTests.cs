using LiftedGan.Imaging;
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
}
