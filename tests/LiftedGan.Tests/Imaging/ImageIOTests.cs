using LiftedGan.Imaging;
using StbImageWriteSharp;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Imaging;

public class ImageIOTests
{
    static string Temp(string ext) => Path.Combine(Path.GetTempPath(), $"img-{Guid.NewGuid():N}{ext}");

    [Fact]
    public void PngRoundTripIsExactOnTheByteGrid()
    {
        var g = new torch.Generator(7);
        using var bytes = torch.randint(0, 256, new long[] { 3, 5, 7 }, generator: g).to(torch.float32);
        using var img = bytes / 127.5 - 1;
        var path = Temp(".png");
        ImageIO.SavePng(path, img);
        using var back = ImageIO.Load(path);
        File.Delete(path);
        Assert.Equal(img.shape, back.shape);
        Assert.True(((back + 1) * 127.5 - bytes).abs().max().item<float>() < 1e-3f);
    }

    [Fact]
    public void GreyPngLoadsAsRgbAndJpegDecodes()
    {
        using var grey = torch.linspace(-1, 1, 16).reshape(1, 4, 4);
        var png = Temp(".png");
        ImageIO.SavePng(png, grey);
        using var rgb = ImageIO.Load(png);
        Assert.Equal(new long[] { 3, 4, 4 }, rgb.shape);
        Assert.True((rgb[0] - rgb[2]).abs().max().item<float>() == 0);

        var jpg = Temp(".jpg");
        var flat = Enumerable.Repeat(new byte[] { 200, 40, 40 }, 64).SelectMany(x => x).ToArray();
        using (var s = File.Create(jpg)) new ImageWriter().WriteJpg(flat, 8, 8, ColorComponents.RedGreenBlue, s, 95);
        using var j = ImageIO.Load(jpg);
        Assert.InRange((j[0].mean().item<float>() + 1) * 127.5, 190, 210);
        File.Delete(png); File.Delete(jpg);
    }

    [Fact]
    public void UnreadableImageNamesTheFile()
    {
        var path = Temp(".png");
        File.WriteAllBytes(path, new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(path));
        Assert.Contains(path, e.Message);
        File.Delete(path);
        Assert.Throws<ImageFormatException>(() => ImageIO.Load(path));
    }

    [Fact]
    public void GridPlacesImagesRowMajorWithPadding()
    {
        using var batch = torch.arange(5, dtype: torch.float32).reshape(5, 1, 1, 1).expand(5, 1, 2, 2).contiguous();
        using var grid = ImageGrid.Make(batch, columns: 3, padding: 1, padValue: -1);
        Assert.Equal(new long[] { 1, 7, 10 }, grid.shape);
        Assert.Equal(3f, grid[0, 4, 1].item<float>());   // second row, first column: image 3
        Assert.Equal(2f, grid[0, 1, 7].item<float>());   // first row, third column: image 2
        Assert.Equal(-1f, grid[0, 0, 0].item<float>());
    }

    [Fact]
    public void GifDecodesBackToTheFrames()
    {
        var g = new torch.Generator(3);
        var frames = new List<torch.Tensor>();
        for (int i = 0; i < 4; i++)
        {
            // Smooth gradients with a moving block: more than 256 colours, so the palette and LZW resets are exercised.
            var y = torch.linspace(-1, 1, 40).reshape(1, 40, 1).expand(3, 40, 60);
            var x = torch.linspace(-1, 1, 60).reshape(1, 1, 60).expand(3, 40, 60);
            var f = (0.6 * y + 0.3 * x * (i + 1) / 4).clone();
            f[.., 5..15, (10 * i)..(10 * i + 10)] = 0.9;
            frames.Add(f.clamp(-1, 1));
        }
        var path = Temp(".gif");
        GifWriter.Save(path, frames, delayMs: 50);
        var decoded = GifTestDecoder.Decode(File.ReadAllBytes(path));
        File.Delete(path);
        Assert.Equal(4, decoded.Frames.Count);
        Assert.Equal((60, 40), (decoded.Width, decoded.Height));
        Assert.Equal(5, decoded.DelayCs);
        for (int i = 0; i < 4; i++)
        {
            var (orig, _, _, _) = ImageIO.ToBytes(frames[i]);
            int worst = 0;
            for (int p = 0; p < orig.Length; p++) worst = Math.Max(worst, Math.Abs(orig[p] - decoded.Frames[i][p]));
            Assert.True(worst <= 24, $"frame {i}: max channel error {worst}");
        }
    }

    [Fact]
    public void LzwHandlesLongRunsPastTheDictionaryLimit()
    {
        var rng = new Random(5);
        var symbols = Enumerable.Range(0, 50_000).Select(_ => (byte)rng.Next(0, 256)).ToArray();
        var data = GifWriter.LzwEncode(symbols);
        Assert.Equal(symbols, GifTestDecoder.LzwDecode(data, symbols.Length));
    }

    [Fact]
    public void TruncatedPngIsOnePrintableLine()
    {
        using var img = torch.zeros(3, 64, 64);
        var path = Temp(".png");
        ImageIO.SavePng(path, img);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            var e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(path));
            Assert.DoesNotContain(e.Message, c => char.IsControl(c));
            Assert.Contains("not a readable image (", e.Message);
        }
        finally { File.Delete(path); }
    }
}
