using System.IO.Compression;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The zip format of <c>torch.save</c> (PyTorch ≥ 1.6): <c>&lt;top&gt;/data.pkl</c> holds the object pickle,
/// <c>&lt;top&gt;/data/&lt;key&gt;</c> the raw storages, <c>&lt;top&gt;/version</c> and an optional <c>&lt;top&gt;/byteorder</c>.
/// </summary>
internal static class TorchZipFormat
{
    const long MaxPickleBytes = 1L << 30;

    public static object? Read(Stream file, string path)
    {
        ZipArchive zip;
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var e in zip.Entries) entries.TryAdd(e.FullName, e);
        }
        catch (Exception e) when (IsZipError(e)) { throw new CheckpointFormatException(path, $"corrupt zip archive: {e.Message}", e); }
        using (zip)
        {
            var pickle = entries.Values.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                                          && e.FullName.IndexOf('/') == e.FullName.Length - 9)
                         ?? throw new CheckpointFormatException(path, "zip archive has no <top>/data.pkl (not a PyTorch checkpoint)");
            string top = pickle.FullName[..^9];
            bool bigEndian = false;
            var order = entries.GetValueOrDefault(top + "/byteorder");
            if (order != null)
            {
                string text = System.Text.Encoding.ASCII.GetString(ReadEntry(order, 64, path)).Trim();
                bigEndian = text switch
                {
                    "little" => false,
                    "big" => true,
                    _ => throw new CheckpointFormatException(path, $"unknown byteorder '{text}'"),
                };
            }

            var pickleBytes = ReadEntry(pickle, MaxPickleBytes, path);
            var machine = new PickleMachine(new MemoryStream(pickleBytes, writable: false), path, TorchTensors.ParsePersistentId);
            var value = machine.Run();

            var storages = new Dictionary<(string, ScalarType), Tensor>();
            return ValueGraph.Materialize(value, s =>
            {
                if (!storages.TryGetValue((s.Key, s.DType.Type), out var t))
                    storages[(s.Key, s.DType.Type)] = t = ReadStorage(entries, top, s, file.Length, bigEndian, path);
                return t;
            }, path);
        }
    }

    static Tensor ReadStorage(Dictionary<string, ZipArchiveEntry> entries, string top, StorageRef s, long fileLength, bool bigEndian, string path)
    {
        var entry = entries.GetValueOrDefault($"{top}/data/{s.Key}") ?? throw new CheckpointFormatException(path, $"storage '{s.Key}' is missing");
        long needed = StorageData.ByteCount(s.Numel, s.DType);
        try
        {
            if (needed < 0 || entry.Length < needed)
                throw new CheckpointFormatException(path, $"storage '{s.Key}' has {entry.Length} bytes, needs {needed}");
            if (entry.CompressedLength == entry.Length && entry.Length <= fileLength)
            {
                using var stream = entry.Open();
                return StorageData.Read(stream, s.DType, s.Numel, bigEndian);
            }
            // Compressed (never written by PyTorch): inflate first, so only real data is ever allocated.
            var inflated = ReadEntry(entry, needed, path);
            if (inflated.Length < needed) throw new CheckpointFormatException(path, $"storage '{s.Key}' is truncated");
            return StorageData.Read(new MemoryStream(inflated), s.DType, s.Numel, bigEndian);
        }
        catch (Exception e) when (IsZipError(e)) { throw new CheckpointFormatException(path, $"storage '{s.Key}': {e.Message}", e); }
    }

    /// <summary>Reads at most <paramref name="max"/> bytes of an entry, growing the buffer only as data arrives.</summary>
    static byte[] ReadEntry(ZipArchiveEntry entry, long max, string path)
    {
        try
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while (buffer.Length < max && (n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, max - buffer.Length))) > 0) buffer.Write(chunk, 0, n);
            return buffer.ToArray();
        }
        catch (Exception e) when (IsZipError(e)) { throw new CheckpointFormatException(path, $"'{entry.FullName}': {e.Message}", e); }
    }

    /// <summary>Errors the BCL zip reader raises on corrupt archives (everything except our own and fatal ones).</summary>
    static bool IsZipError(Exception e) =>
        e is not (CheckpointException or OutOfMemoryException or StackOverflowException or ExternalException);
}
