using LiftedGan.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Imaging;

/// <summary>
/// Animated GIF89a encoder: one global 256-colour palette for all frames (the most frequent colours of a 5-bit-per-channel
/// histogram over every frame), nearest-colour mapping, LZW compression, looping. Hand-written because no GIF encoder
/// without a large native dependency is served on NuGet here (see README).
/// </summary>
public static class GifWriter
{
    /// <summary>Writes frames, each (3, H, W) in [-1, 1] and all the same size, as a looping animation.</summary>
    public static void Save(string path, IReadOnlyList<Tensor> frames, int delayMs = 100, int loops = 0)
    {
        if (frames.Count == 0) throw new ArgumentException($"{path}: no frames to write");
        if (delayMs < 0 || loops < 0 || loops > ushort.MaxValue) throw new ArgumentException($"{path}: bad delay or loop count");
        var rgb = new List<byte[]>();
        int width = 0, height = 0;
        foreach (var f in frames)
        {
            var (data, w, h, c) = ImageIO.ToBytes(f, path);
            if (c == 1) data = data.SelectMany(v => new[] { v, v, v }).ToArray();
            if (rgb.Count == 0) { width = w; height = h; }
            else if (w != width || h != height) throw new ArgumentException($"{path}: frame size {w}x{h} differs from {width}x{height}");
            rgb.Add(data);
        }
        if (width > ushort.MaxValue || height > ushort.MaxValue) throw new ArgumentException($"{path}: frame too large for GIF");

        var palette = BuildPalette(rgb);
        var lookup = NearestLookup(palette);
        using var stream = AtomicFile.Create(path, out var commit);
        var o = new BinaryWriter(stream);
        o.Write("GIF89a"u8);
        o.Write((ushort)width); o.Write((ushort)height);
        o.Write((byte)0xF7); o.Write((byte)0); o.Write((byte)0); // global table of 256 colours, 8-bit resolution
        o.Write(palette);
        o.Write(new byte[] { 0x21, 0xFF, 0x0B }); o.Write("NETSCAPE2.0"u8);
        o.Write((byte)3); o.Write((byte)1); o.Write((ushort)loops); o.Write((byte)0);
        ushort delay = (ushort)Math.Min(ushort.MaxValue, (delayMs + 5) / 10);
        foreach (var data in rgb)
        {
            o.Write(new byte[] { 0x21, 0xF9, 0x04, 0x04 }); o.Write(delay); o.Write((byte)0); o.Write((byte)0);
            o.Write((byte)0x2C); o.Write((ushort)0); o.Write((ushort)0); o.Write((ushort)width); o.Write((ushort)height); o.Write((byte)0);
            var indices = new byte[width * height];
            for (int i = 0; i < indices.Length; i++) indices[i] = lookup[Bin(data, i * 3)];
            o.Write((byte)8);
            WriteSubBlocks(o, LzwEncode(indices));
        }
        o.Write((byte)0x3B);
        o.Flush();
        commit();
    }

    static int Bin(byte[] rgb, int at) => (rgb[at] >> 3) << 10 | (rgb[at + 1] >> 3) << 5 | rgb[at + 2] >> 3;

    static byte[] BuildPalette(List<byte[]> frames)
    {
        var counts = new long[1 << 15];
        var sums = new long[1 << 15, 3];
        foreach (var f in frames)
            for (int i = 0; i < f.Length; i += 3)
            {
                int b = Bin(f, i);
                counts[b]++;
                sums[b, 0] += f[i]; sums[b, 1] += f[i + 1]; sums[b, 2] += f[i + 2];
            }
        var top = Enumerable.Range(0, counts.Length).Where(b => counts[b] > 0)
            .OrderByDescending(b => counts[b]).ThenBy(b => b).Take(256).ToArray();
        var palette = new byte[256 * 3];
        for (int k = 0; k < top.Length; k++)
            for (int ch = 0; ch < 3; ch++)
                palette[k * 3 + ch] = (byte)((sums[top[k], ch] + counts[top[k]] / 2) / counts[top[k]]);
        for (int k = top.Length; k < 256; k++)
            for (int ch = 0; ch < 3; ch++) palette[k * 3 + ch] = palette[ch]; // pad with the first colour
        return palette;
    }

    static byte[] NearestLookup(byte[] palette)
    {
        var lookup = new byte[1 << 15];
        Parallel.For(0, 1 << 15, b =>
        {
            int r = ((b >> 10) & 31) * 8 + 4, g = ((b >> 5) & 31) * 8 + 4, bl = (b & 31) * 8 + 4;
            int best = 0, bestD = int.MaxValue;
            for (int k = 0; k < 256; k++)
            {
                int dr = r - palette[k * 3], dg = g - palette[k * 3 + 1], db = bl - palette[k * 3 + 2];
                int d = dr * dr + dg * dg + db * db;
                if (d < bestD) { bestD = d; best = k; }
            }
            lookup[b] = (byte)best;
        });
        return lookup;
    }

    /// <summary>GIF-flavoured variable-width LZW (8-bit symbols, clear and end codes, 12-bit maximum).</summary>
    internal static byte[] LzwEncode(byte[] symbols)
    {
        const int clear = 256, end = 257, maxCodes = 4096;
        var output = new List<byte>();
        int bitBuffer = 0, bitCount = 0, codeSize = 9, next = 258;
        var table = new Dictionary<int, int>();
        void Emit(int code)
        {
            bitBuffer |= code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8) { output.Add((byte)bitBuffer); bitBuffer >>= 8; bitCount -= 8; }
        }
        Emit(clear);
        if (symbols.Length > 0)
        {
            int prefix = symbols[0];
            for (int i = 1; i < symbols.Length; i++)
            {
                int key = prefix << 8 | symbols[i];
                if (table.TryGetValue(key, out int code)) { prefix = code; continue; }
                Emit(prefix);
                table[key] = next++;
                if (next == maxCodes)
                {
                    Emit(clear);
                    table.Clear(); next = 258; codeSize = 9;
                }
                else if (next == (1 << codeSize) + 1) codeSize++; // the decoder adds its entry one code later
                prefix = symbols[i];
            }
            Emit(prefix);
        }
        Emit(end);
        if (bitCount > 0) output.Add((byte)bitBuffer);
        return output.ToArray();
    }

    static void WriteSubBlocks(BinaryWriter o, byte[] data)
    {
        for (int at = 0; at < data.Length; at += 255)
        {
            int n = Math.Min(255, data.Length - at);
            o.Write((byte)n);
            o.Write(data, at, n);
        }
        o.Write((byte)0);
    }
}
