using LiftedGan.Data;
using LiftedGan.Imaging;
using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.StyleGan2;

public class DataSourceTests
{
    static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), $"sg2-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void EmptyFolderNamesTheFolder()
    {
        var dir = TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
            var e = Assert.Throws<StyleGanException>(() => new ImageFolderSource(dir, 16));
            Assert.Contains(dir, e.Message);
            Assert.Contains("no PNG or JPEG", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnreadableImageNamesTheFile()
    {
        var dir = TempDir();
        try
        {
            using (var img = zeros(3, 20, 30)) ImageIO.SavePng(Path.Combine(dir, "a.png"), img);
            var bad = Path.Combine(dir, "sub", "broken.png");
            Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
            File.WriteAllBytes(bad, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
            var e = Assert.Throws<ImageFormatException>(() => new ImageFolderSource(dir, 16));
            Assert.Contains("broken.png", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ImagesAreResizedCentreCroppedAndFlipped()
    {
        var dir = TempDir();
        try
        {
            // 20 x 40 image: left half black, right half white -> after resize to 16 x 32 and centre crop 16 x 16,
            // the left 8 columns are black and the right 8 white (or mirrored when flipped).
            using (var img = cat([full(3, 20, 20, -1f), full(3, 20, 20, 1f)], 2)) ImageIO.SavePng(Path.Combine(dir, "half.png"), img);
            using var source = new ImageFolderSource(dir, 16);
            using var g = new Generator(3);
            using var batch = source.Next(64, g);
            Assert.Equal(new long[] { 64, 3, 16, 16 }, batch.shape);
            using var leftMean = batch.narrow(3, 0, 6).mean([1, 2, 3]);
            var left = leftMean.data<float>().ToArray();
            int flipped = left.Count(v => v > 0.9f), plain = left.Count(v => v < -0.9f);
            Assert.Equal(64, flipped + plain);
            Assert.InRange(flipped, 16, 48);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ShapesSourceIsDeterministicPerGenerator()
    {
        var s = new ShapesSource(16);
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var a = s.Next(8, g1);
        using var b = s.Next(8, g2);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(a.min().item<float>() >= -1 && a.max().item<float>() <= 1);
    }
}
