namespace LiftedGan.IO;

/// <summary>A TensorBoard event file that cannot be read: "&lt;file&gt;: &lt;problem&gt;".</summary>
public sealed class TensorBoardFormatException(string file, string problem) : LiftedGanException(file, problem);

/// <summary>One scalar of a TensorBoard run: step, wall time (seconds since the epoch) and value.</summary>
public readonly record struct ScalarPoint(long Step, double WallTime, float Value);

/// <summary>
/// Reads the scalars of TensorBoard event files (as TorchSharp's SummaryWriter writes them). Framing is TFRecord:
/// u64 length, u32 masked CRC-32C of the length bytes, the record, u32 masked CRC-32C of the record (little endian;
/// mask = rotr15(crc) + 0xa282ead8); both CRCs are checked. A record is an Event protobuf, parsed with the generated
/// classes TorchSharp ships (<c>Tensorboard.Event</c>, Google.Protobuf); scalars are summary values with a
/// simple_value, everything else (histograms, images) is skipped. A record cut off at the end of a file (a live run still
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
            catch (Google.Protobuf.InvalidProtocolBufferException ex)
            {
                throw new TensorBoardFormatException(file, $"record at byte {offset}: {ex.Message}");
            }
            offset += 16 + (long)length;
        }
    }

    static void ParseEvent(ReadOnlySpan<byte> record, Dictionary<string, List<ScalarPoint>> result)
    {
        var e = Tensorboard.Event.Parser.ParseFrom(record.ToArray());
        if (e.Summary is null) return;
        foreach (var v in e.Summary.Value)
        {
            if (v.ValueCase != Tensorboard.Summary.Types.Value.ValueOneofCase.SimpleValue) continue;
            if (!result.TryGetValue(v.Tag, out var list)) result[v.Tag] = list = new List<ScalarPoint>();
            list.Add(new ScalarPoint(e.Step, e.WallTime, v.SimpleValue));
        }
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
