using System.Text;

namespace LiftedGan.IO;

/// <summary>A TensorBoard event file that cannot be read: "&lt;file&gt;: &lt;problem&gt;".</summary>
public sealed class TensorBoardFormatException(string file, string problem) : Exception($"{file}: {problem}");

/// <summary>One scalar of a TensorBoard run: step, wall time (seconds since the epoch) and value.</summary>
public readonly record struct ScalarPoint(long Step, double WallTime, float Value);

/// <summary>
/// Reads the scalars of TensorBoard event files (as TorchSharp's SummaryWriter writes them). Framing is TFRecord:
/// u64 length, u32 masked CRC-32C of the length bytes, the record, u32 masked CRC-32C of the record (little endian;
/// mask = rotr15(crc) + 0xa282ead8); both CRCs are checked. A record is an Event protobuf (wall_time = 1 double,
/// step = 2 varint, summary = 5); a Summary holds repeated Value (1) with tag (1) and simple_value (2 float). Other
/// events and values (histograms, images) are skipped. A record cut off at the end of a file (a live run still
/// writing) ends that file quietly; a complete record with a wrong CRC is an error.
/// </summary>
public static class TensorBoardScalars
{
    /// <summary>Scalars by tag, in file order then record order, from a file or every events.out.tfevents.* file of a folder (by name).</summary>
    public static IReadOnlyDictionary<string, List<ScalarPoint>> Read(string path)
    {
        string[] files = Directory.Exists(path)
            ? Directory.GetFiles(path, "events.out.tfevents.*").Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? new[] { path } : throw new TensorBoardFormatException(path, "no such file or folder");
        if (files.Length == 0) throw new TensorBoardFormatException(path, "no events.out.tfevents.* files in this folder");
        var result = new Dictionary<string, List<ScalarPoint>>(StringComparer.Ordinal);
        foreach (var f in files) ReadFile(f, result);
        return result;
    }

    static void ReadFile(string file, Dictionary<string, List<ScalarPoint>> result)
    {
        byte[] data;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            data = new byte[stream.Length];
            stream.ReadExactly(data);
        }
        long offset = 0;
        while (data.Length - offset >= 12)
        {
            ulong length = BitConverter.ToUInt64(data, (int)offset);
            if (Masked(Crc32C(data.AsSpan((int)offset, 8))) != BitConverter.ToUInt32(data, (int)offset + 8))
                throw new TensorBoardFormatException(file, $"record at byte {offset}: length CRC mismatch (not a TFRecord file, or corrupt)");
            if (length > (ulong)(data.Length - offset - 16)) return; // cut off: a writer is still appending
            var record = data.AsSpan((int)offset + 12, (int)length);
            if (Masked(Crc32C(record)) != BitConverter.ToUInt32(data, (int)(offset + 12 + (long)length)))
                throw new TensorBoardFormatException(file, $"record at byte {offset}: data CRC mismatch");
            try { ParseEvent(record, result); }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException)
            {
                throw new TensorBoardFormatException(file, $"record at byte {offset}: {ex.Message}");
            }
            offset += 16 + (long)length;
        }
    }

    static void ParseEvent(ReadOnlySpan<byte> e, Dictionary<string, List<ScalarPoint>> result)
    {
        double wall = 0;
        long step = 0;
        var summaries = new List<(int Start, int Length)>();
        int pos = 0;
        while (pos < e.Length)
        {
            var (field, wire) = Key(e, ref pos);
            if (field == 1 && wire == 1) { wall = BitConverter.ToDouble(e.Slice(pos, 8)); pos += 8; }
            else if (field == 2 && wire == 0) step = (long)Varint(e, ref pos);
            else if (field == 5 && wire == 2) { int n = (int)Varint(e, ref pos); summaries.Add((pos, n)); pos += n; }
            else Skip(e, ref pos, wire);
        }
        foreach (var (start, length) in summaries)
        {
            var s = e.Slice(start, length);
            int p = 0;
            while (p < s.Length)
            {
                var (field, wire) = Key(s, ref p);
                if (field == 1 && wire == 2)
                {
                    int n = (int)Varint(s, ref p);
                    if (ParseValue(s.Slice(p, n)) is { } v)
                    {
                        if (!result.TryGetValue(v.Tag, out var list)) result[v.Tag] = list = new List<ScalarPoint>();
                        list.Add(new ScalarPoint(step, wall, v.Value));
                    }
                    p += n;
                }
                else Skip(s, ref p, wire);
            }
        }
    }

    static (string Tag, float Value)? ParseValue(ReadOnlySpan<byte> v)
    {
        string? tag = null;
        float? value = null;
        int pos = 0;
        while (pos < v.Length)
        {
            var (field, wire) = Key(v, ref pos);
            if (field == 1 && wire == 2) { int n = (int)Varint(v, ref pos); tag = Encoding.UTF8.GetString(v.Slice(pos, n)); pos += n; }
            else if (field == 2 && wire == 5) { value = BitConverter.ToSingle(v.Slice(pos, 4)); pos += 4; }
            else Skip(v, ref pos, wire);
        }
        return tag is not null && value is not null ? (tag, value.Value) : null;
    }

    static (int Field, int Wire) Key(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong key = Varint(s, ref pos);
        return ((int)(key >> 3), (int)(key & 7));
    }

    static ulong Varint(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= s.Length) throw new InvalidDataException("protobuf varint runs past the record");
            byte b = s[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("protobuf varint longer than 10 bytes");
    }

    static void Skip(ReadOnlySpan<byte> s, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0: Varint(s, ref pos); break;
            case 1: pos += 8; break;
            case 2: { int n = (int)Varint(s, ref pos); pos += n; break; }
            case 5: pos += 4; break;
            default: throw new InvalidDataException($"protobuf wire type {wire} is not supported");
        }
        if (pos > s.Length) throw new InvalidDataException("protobuf field runs past the record");
    }

    static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        uint c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return ~crc;
    }

    static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
