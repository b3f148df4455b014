using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>Reads raw storage bytes from a stream into new 1-D tensors (in chunks, so storages may exceed 2 GiB).</summary>
internal static class StorageData
{
    const long Chunk = 1L << 30;

    /// <summary>
    /// Reads <paramref name="numel"/> elements of <paramref name="type"/>; the caller has checked that they exist.
    /// <paramref name="crc"/>, when given, is fed the bytes as stored (before any byte swap).
    /// </summary>
    public static Tensor Read(Stream input, TensorDType type, long numel, bool bigEndian, Crc32? crc = null)
    {
        var t = torch.empty(numel, dtype: type.Type);
        try
        {
            long perChunk = Chunk / type.Size;
            for (long start = 0; start < numel; start += perChunk)
            {
                using var part = t.narrow(0, start, Math.Min(perChunk, numel - start));
                var span = part.bytes;
                input.ReadExactly(span);
                crc?.Append(span);
                if (bigEndian) TensorDType.SwapBytes(span, type.Size);
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>numel × element size, or -1 when that overflows.</summary>
    public static long ByteCount(long numel, TensorDType type) =>
        numel > long.MaxValue / type.Size ? -1 : numel * type.Size;
}
