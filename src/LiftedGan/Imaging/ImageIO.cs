using LiftedGan.IO;
using StbImageSharp;
using StbImageWriteSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Imaging;

/// <summary>An image file that cannot be read or written: names the file and the problem.</summary>
public sealed class ImageFormatException(string path, string problem) : LiftedGanException(path, problem)
{
    public string Path { get; } = path;
}

/// <summary>
/// PNG/JPEG/BMP/TGA reading and PNG writing between files and tensors. Tensors follow the GAN convention:
/// float32, channels first (C, H, W), values in [-1, 1]; C is 3 (RGB) or 1 (grey).
/// </summary>
public static class ImageIO
{
    /// <summary>Reads an image as a (3, H, W) float tensor in [-1, 1] (grey and alpha images become RGB).</summary>
    public static Tensor Load(string path)
    {
        byte[] bytes;
        if (File.Exists(path) && !LiftedGan.IO.FileKind.IsRegularFile(path))
            throw new ImageFormatException(path, "is not a regular file (a FIFO, socket or device is refused)");
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageFormatException(path, $"cannot read: {e.Message}");
        }
        ImageResult img;
        try { img = ImageResult.FromMemory(bytes, StbImageSharp.ColorComponents.RedGreenBlue); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // stb's messages can be garbage (a truncated PNG gives 25 NUL bytes): keep printable text only.
            string reason = new string(e.Message.Where(c => !char.IsControl(c)).ToArray()).Trim();
            throw new ImageFormatException(path, $"not a readable image ({(reason.Length == 0 ? "corrupt or truncated data" : LiftedGan.IO.UntrustedText.Printable(reason))})");
        }
        if (img.Data == null || img.Width <= 0 || img.Height <= 0)
            throw new ImageFormatException(path, "not a readable image");
        using var scope = NewDisposeScope();
        var t = torch.tensor(img.Data, new long[] { img.Height, img.Width, 3 }, dtype: ScalarType.Byte);
        return FromBytesHwc(t).MoveToOuterDisposeScope();
    }

    /// <summary>Writes a (C, H, W) or (H, W) tensor in [-1, 1] as an 8-bit PNG, atomically.</summary>
    public static void SavePng(string path, Tensor image)
    {
        var (data, w, h, c) = ToBytes(image, path);
        var comp = c == 1 ? StbImageWriteSharp.ColorComponents.Grey : StbImageWriteSharp.ColorComponents.RedGreenBlue;
        using var stream = AtomicFile.Create(path, out var commit);
        new ImageWriter().WritePng(data, w, h, comp, stream);
        commit();
    }

    /// <summary>
    /// Converts a (C, H, W) or (H, W) tensor in [-1, 1] to interleaved 8-bit pixels (round to nearest, clamped).
    /// </summary>
    public static (byte[] Data, int Width, int Height, int Channels) ToBytes(Tensor image, string name = "image")
    {
        using var scope = NewDisposeScope();
        var x = image.detach().cpu().to(ScalarType.Float32);
        if (x.dim() == 2) x = x.unsqueeze(0);
        if (x.dim() != 3 || (x.shape[0] != 1 && x.shape[0] != 3))
            throw new ImageFormatException(name, $"expected an image tensor (1 or 3, H, W), got [{string.Join(", ", image.shape)}]");
        if (x.isnan().any().item<bool>()) throw new ImageFormatException(name, "image contains NaN");
        var u8 = ((x + 1) * 127.5).round().clamp(0, 255).to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return (u8.bytes.ToArray(), (int)x.shape[2], (int)x.shape[1], (int)x.shape[0]);
    }

    /// <summary>
    /// Resizes a (C, H, W) image in [-1, 1] so its shorter side is <paramref name="size"/> (antialiased bilinear) and
    /// centre-crops it into (C, S, S) uint8 (round to nearest, clamped).
    /// </summary>
    public static Tensor SquareBytes(Tensor image, int size)
    {
        using var scope = NewDisposeScope();
        long h = image.shape[1], w = image.shape[2];
        double s = (double)size / Math.Min(h, w);
        long nh = Math.Max(size, (long)Math.Round(h * s)), nw = Math.Max(size, (long)Math.Round(w * s));
        var x = image.unsqueeze(0);
        if (nh != h || nw != w)
            x = nn.functional.interpolate(x, [nh, nw], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        x = x.narrow(2, (nh - size) / 2, size).narrow(3, (nw - size) / 2, size)[0];
        return ((x + 1) * 127.5).round().clamp(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>Converts (H, W, C) uint8 pixels into a (C, H, W) float tensor in [-1, 1].</summary>
    public static Tensor FromBytesHwc(Tensor hwc) => hwc.permute(2, 0, 1).to(ScalarType.Float32) / 127.5 - 1;
}
