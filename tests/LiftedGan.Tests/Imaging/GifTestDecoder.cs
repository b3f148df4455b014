namespace LiftedGan.Tests.Imaging;

/// <summary>An independent, minimal GIF decoder (global palette, no interlace) used only to check the encoder.</summary>
internal static class GifTestDecoder
{
    public sealed record Gif(int Width, int Height, int DelayCs, List<byte[]> Frames);

    public static Gif Decode(byte[] gif)
    {
        if (System.Text.Encoding.ASCII.GetString(gif, 0, 6) != "GIF89a") throw new InvalidDataException("header");
        int w = BitConverter.ToUInt16(gif, 6), h = BitConverter.ToUInt16(gif, 8);
        int packed = gif[10];
        int tableSize = 2 << (packed & 7);
        var palette = gif.AsSpan(13, tableSize * 3).ToArray();
        int at = 13 + tableSize * 3, delay = -1;
        var frames = new List<byte[]>();
        while (gif[at] != 0x3B)
        {
            if (gif[at] == 0x21)
            {
                if (gif[at + 1] == 0xF9) delay = BitConverter.ToUInt16(gif, at + 4);
                at += 2;
                while (gif[at] != 0) at += gif[at] + 1;
                at++;
            }
            else if (gif[at] == 0x2C)
            {
                int fw = BitConverter.ToUInt16(gif, at + 5), fh = BitConverter.ToUInt16(gif, at + 7);
                at += 10;
                at++; // min code size (8)
                var data = new List<byte>();
                while (gif[at] != 0) { data.AddRange(gif.AsSpan(at + 1, gif[at]).ToArray()); at += gif[at] + 1; }
                at++;
                var idx = LzwDecode(data.ToArray(), fw * fh);
                var rgb = new byte[idx.Length * 3];
                for (int i = 0; i < idx.Length; i++)
                    for (int c = 0; c < 3; c++) rgb[i * 3 + c] = palette[idx[i] * 3 + c];
                frames.Add(rgb);
            }
            else throw new InvalidDataException($"block 0x{gif[at]:x2}");
        }
        return new Gif(w, h, delay, frames);
    }

    public static byte[] LzwDecode(byte[] data, int count)
    {
        var dict = new List<byte[]>();
        void Reset() { dict.Clear(); for (int i = 0; i < 256; i++) dict.Add(new[] { (byte)i }); dict.Add(Array.Empty<byte>()); dict.Add(Array.Empty<byte>()); }
        Reset();
        int codeSize = 9, bitPos = 0;
        var output = new List<byte>();
        byte[]? prev = null;
        while (true)
        {
            int code = 0;
            for (int b = 0; b < codeSize; b++, bitPos++)
                code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << b;
            if (code == 256) { Reset(); codeSize = 9; prev = null; continue; }
            if (code == 257) break;
            byte[] entry;
            if (code < dict.Count) entry = dict[code];
            else if (code == dict.Count && prev != null) entry = prev.Append(prev[0]).ToArray();
            else throw new InvalidDataException($"bad code {code}");
            output.AddRange(entry);
            if (prev != null)
            {
                dict.Add(prev.Append(entry[0]).ToArray());
                if (dict.Count == 1 << codeSize && codeSize < 12) codeSize++;
            }
            prev = entry;
        }
        if (output.Count != count) throw new InvalidDataException($"decoded {output.Count} symbols, expected {count}");
        return output.ToArray();
    }
}
