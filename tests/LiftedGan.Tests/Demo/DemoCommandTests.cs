using System.Text.RegularExpressions;
using LiftedGan.Demo;
using LiftedGan.Packing;
using LiftedGan.Tests.Export;
using Xunit;

namespace LiftedGan.Tests.Demo;

public class DemoCommandTests
{
    static Dictionary<string, byte[]> Images(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".gif", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public void DemoWritesAPageWhoseEveryFileExistsAndRepeatsBitForBit()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-demo").FullName;
        try
        {
            string models = Path.Combine(root, "models"), dir = Path.Combine(root, "results");
            StandInModels.Write(models);
            string[] args = { "demo", "--models", models, "--out", dir, "--lift-steps", "2", "--lift-batch", "2", "--seed", "3" };
            var (code, output, err) = LiftFixture.Run(args);
            Assert.True(code == 0, err + output);
            Assert.Contains($"Results: {Path.GetFullPath(dir)}", output);
            Assert.Contains("liftedgan rotate --help", output);
            Assert.Contains("lift 2/2", output);
            Assert.Contains("no real-face models", output);

            string html = File.ReadAllText(Path.Combine(dir, "index.html"));
            var referenced = DemoPage.ReferencedFiles(html);
            foreach (var r in referenced) Assert.True(File.Exists(Path.Combine(dir, r)), $"index.html references missing {r}");
            // Every kind of result is on the page.
            foreach (var expected in new[]
            {
                "faces/teacher_vs_lifted.png", "faces/depth_grid.png", "faces/normal_grid.png", "faces/shading_grid.png", "faces/albedo_grid.png",
                "rotate-yaw/1.gif", "rotate-pitch/2_strip.png", "relight/1.gif", "relight/1_shading_strip.png", "sideview/1_shape.gif",
                "interpolate/interpolation.gif", "meshes/00001.obj", "meshes/00001.mtl", "meshes/00001.ply", "meshes/00002.glb", "z.npy",
                "lift-run/samples/000001.png", "lift-run/samples/000002.png", "lift-run/losses.csv", "lift-run/checkpoint_001.pth",
            })
                Assert.Contains(expected, referenced);
            // Static and self-contained: no scripts, no absolute or remote references.
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:|file:|/)"), html);
            Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "lift-run", "losses.csv")).Length);
            var first = Images(dir);
            Assert.True(first.Count > 40, $"only {first.Count} images");

            // The same seed again, into the same folder: identical images, and the lift starts afresh (no resume of the finished run).
            var start = DateTime.UtcNow.AddSeconds(-1);
            (code, output, err) = LiftFixture.Run(args);
            Assert.True(code == 0, err + output);
            Assert.Contains("lift 2/2", output);
            var second = Images(dir);
            Assert.Equal(first.Keys.Order(), second.Keys.Order());
            foreach (var (name, bytes) in first)
            {
                Assert.True(File.GetLastWriteTimeUtc(Path.Combine(dir, name)) >= start, $"{name} was not written again");
                Assert.True(bytes.AsSpan().SequenceEqual(second[name]), $"{name} differs between two runs");
            }
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void WithTheRealFacePairTheDemoAddsItsGalleryInItsOwnFolder()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-demo-real").FullName;
        try
        {
            string models = Path.Combine(root, "models"), dir = Path.Combine(root, "results");
            StandInModels.Write(models);
            StandInModels.WriteRealFaces(models);
            var (code, output, err) = LiftFixture.Run("demo", "--models", models, "--out", dir, "--lift-steps", "1", "--lift-batch", "2", "--seed", "3");
            Assert.True(code == 0, err + output);
            Assert.DoesNotContain("no real-face models", output);
            Assert.Contains("real faces: faces and maps", output);

            string html = File.ReadAllText(Path.Combine(dir, "index.html"));
            var referenced = DemoPage.ReferencedFiles(html);
            foreach (var r in referenced) Assert.True(File.Exists(Path.Combine(dir, r)), $"index.html references missing {r}");
            foreach (var expected in new[] { "real-faces/faces/teacher_vs_lifted.png", "real-faces/rotate-yaw/1.gif", "real-faces/meshes/00001.glb", "real-faces/z.npy", "faces/teacher_vs_lifted.png" })
                Assert.Contains(expected, referenced);
            Assert.Contains("Real faces: Teacher and lifted faces", html);
            Assert.Contains(ShippedModels.RealLiftFile, html);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void MissingModelsGiveOneLineWithTheCommandToMakeThem()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-demo-missing").FullName;
        try
        {
            var (code, _, err) = LiftFixture.Run("demo", "--models", root, "--out", Path.Combine(root, "out"));
            Assert.Equal(1, code);
            Assert.StartsWith($"liftedgan: error: {Path.Combine(root, ShippedModels.StyleGanFile)}: shipped StyleGAN2 teacher missing", err);
            Assert.Contains("liftedgan pack", err);
            Assert.False(Directory.Exists(Path.Combine(root, "out")));
        }
        finally { Directory.Delete(root, true); }
    }
}
