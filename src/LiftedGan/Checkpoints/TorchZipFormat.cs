using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The zip format of <c>torch.save</c> (PyTorch ≥ 1.6): <c>&lt;top&gt;/data.pkl</c> holds the object pickle,
/// <c>&lt;top&gt;/data/&lt;key&gt;</c> the raw storages, <c>&lt;top&gt;/version</c> and an optional <c>&lt;top&gt;/byteorder</c>.
/// The archive is read through <see cref="ZipDirectory"/> (entries inside the file, non-overlapping), every byte that
/// is inflated or copied is charged to the <see cref="ReadBudget"/> first, a storage key names one size and type,
/// and every entry read is checked against its CRC-32 (unless <see cref="CheckpointLimits.VerifyCrc"/> is off).
/// </summary>
internal static class TorchZipFormat
{
    const long MaxPickleBytes = 1L << 30;

    public static object? Read(Stream file, string path, CheckpointLimits limits)
    {
        var budget = new ReadBudget(limits, file.Length, path);
        var zip = ZipDirectory.Read(file, path, budget);
        var entries = zip.Entries;
        var pickle = entries.Values.Where(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal) && e.Name.IndexOf('/') == e.Name.Length - 9)
                         .MinBy(e => e.HeaderOffset)
                     ?? throw new CheckpointFormatException(path, "zip archive has no <top>/data.pkl (not a PyTorch checkpoint)");
        string top = pickle.Name[..^9];
        bool bigEndian = false;
        if (entries.GetValueOrDefault(top + "/byteorder") is { } order)
        {
            string text = System.Text.Encoding.ASCII.GetString(zip.ReadAll(order, 64, budget)).Trim();
            bigEndian = text switch
            {
                "little" => false,
                "big" => true,
                _ => throw new CheckpointFormatException(path, $"unknown byteorder '{CheckpointLimits.Printable(text)}'"),
            };
        }

        var pickleBytes = zip.ReadAll(pickle, MaxPickleBytes, budget);
        var refs = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var machine = new PickleMachine(new MemoryStream(pickleBytes, writable: false), path, pid => OneSizePerKey(refs, TorchTensors.ParsePersistentId(pid)), limits);
        var value = machine.Run();

        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        return ValueGraph.Materialize(value, s =>
        {
            if (!storages.TryGetValue(s.Key, out var t)) storages[s.Key] = t = ReadStorage(zip, top, s, bigEndian, budget, path);
            return t;
        }, path);
    }

    /// <summary>Records a storage reference; the same key named again with another type or size is an error (as in the legacy reader).</summary>
    internal static StorageRef OneSizePerKey(Dictionary<string, StorageRef> refs, StorageRef s)
    {
        if (refs.TryGetValue(s.Key, out var seen))
        {
            if (seen.DType != s.DType || seen.Numel != s.Numel)
                throw new PickleDataException($"storage '{CheckpointLimits.Printable(s.Key)}' is named with two different types or sizes " +
                                              $"({seen.DType.Name} x {seen.Numel}, {s.DType.Name} x {s.Numel})");
            return seen;
        }
        return refs[s.Key] = s;
    }

    static Tensor ReadStorage(ZipDirectory zip, string top, StorageRef s, bool bigEndian, ReadBudget budget, string path)
    {
        string key = CheckpointLimits.Printable(s.Key);
        var entry = zip.Entries.GetValueOrDefault($"{top}/data/{s.Key}") ?? throw new CheckpointFormatException(path, $"storage '{key}' is missing");
        long needed = StorageData.ByteCount(s.Numel, s.DType);
        if (needed < 0 || entry.Length < needed)
            throw new CheckpointFormatException(path, $"storage '{key}' has {entry.Length} bytes, needs {(needed < 0 ? "more than 2^63" : needed)}");
        zip.CheckRatio(entry, budget);
        budget.Charge(needed, $"storage '{key}'");
        Crc32? crc = budget.Limits.VerifyCrc ? new Crc32() : null;
        using var stream = zip.Open(entry);
        Tensor t;
        try { t = StorageData.Read(stream, s.DType, s.Numel, bigEndian, crc); }
        catch (EndOfStreamException) { throw new CheckpointFormatException(path, $"storage '{key}' is truncated"); }
        catch (System.IO.InvalidDataException e) { throw new CheckpointFormatException(path, $"storage '{key}': corrupt deflate data ({e.Message})"); }
        if (crc == null) return t;
        try
        {
            // Bytes past the storage's use (PyTorch writes none) still count for the CRC.
            var rest = new byte[64 << 10];
            for (long left = entry.Length - needed; left > 0;)
            {
                int n = (int)Math.Min(rest.Length, left);
                zip.ReadExactly(stream, rest.AsSpan(0, n), entry);
                crc.Append(rest.AsSpan(0, n));
                left -= n;
            }
            if (crc.Value != entry.Crc) throw new CheckpointFormatException(path, $"storage '{key}' fails its CRC-32 check (corrupt data)");
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }
}
