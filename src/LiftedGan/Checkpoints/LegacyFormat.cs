using System.Buffers.Binary;
using System.Numerics;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The format of <c>torch.save</c> before PyTorch 1.6 (and with <c>_use_new_zipfile_serialization=False</c>): five
/// pickles (magic number, protocol 1001, sys_info, the object, the storage keys), then each storage in key order as
/// an int64 element count followed by its raw bytes.
/// </summary>
internal static class LegacyFormat
{
    /// <summary>The magic number that starts a legacy file (its first pickle).</summary>
    public static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the rest of a legacy file whose magic-number pickle has been consumed.</summary>
    public static object? ReadAfterMagic(Stream input, string path, CheckpointLimits limits)
    {
        if (new PickleMachine(input, path, null, limits).Run() is not 1001L)
            throw new CheckpointFormatException(path, "unsupported legacy protocol version (expected 1001)");
        var sysInfo = new PickleMachine(input, path, null, limits).Run() as PyDict
                      ?? throw new CheckpointFormatException(path, "legacy sys_info is not a dict");
        bool bigEndian = sysInfo.TryGet("little_endian", out var little) && little is false;

        var refs = new Dictionary<string, StorageRef>();
        var value = new PickleMachine(input, path, pid => TorchZipFormat.OneSizePerKey(refs, TorchTensors.ParsePersistentId(pid)), limits).Run();
        if (new PickleMachine(input, path, null, limits).Run() is not List<object?> keys)
            throw new CheckpointFormatException(path, "legacy storage key list is missing");

        var storages = new Dictionary<string, Tensor>();
        Span<byte> head = stackalloc byte[8];
        foreach (var k in keys)
        {
            if (k is not string key || !refs.TryGetValue(key, out var s) || storages.ContainsKey(key))
                throw new CheckpointFormatException(path, $"legacy storage key {CheckpointLimits.Printable(CheckpointSummary.Repr(k))} is unknown or repeated");
            if (input.Length - input.Position < 8) throw new CheckpointFormatException(path, $"storage '{key}' is missing (file truncated)");
            input.ReadExactly(head);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(head);
            if (bigEndian) numel = BinaryPrimitives.ReverseEndianness(numel);
            long bytes = StorageData.ByteCount(numel, s.DType);
            if (numel != s.Numel || bytes < 0) throw new CheckpointFormatException(path, $"storage '{key}' holds {numel} elements, expected {s.Numel}");
            if (bytes > input.Length - input.Position) throw new CheckpointFormatException(path, $"storage '{key}' runs past the end of the file");
            storages[key] = StorageData.Read(input, s.DType, numel, bigEndian);
        }
        return ValueGraph.Materialize(value, s => storages.TryGetValue(s.Key, out var t) ? t
            : throw new CheckpointFormatException(path, $"storage '{s.Key}' is not in the file"), path);
    }
}
