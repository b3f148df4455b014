using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>Visits the raw bytes of a contiguous CPU tensor in chunks (tensors may exceed 2 GiB).</summary>
internal static class TensorBytes
{
    const long Chunk = 1L << 30;

    public delegate void ChunkAction(ReadOnlySpan<byte> chunk);

    public static void Visit(Tensor contiguous, ChunkAction action)
    {
        long numel = contiguous.numel();
        if (numel == 0) return;
        using var flat = contiguous.reshape(numel);
        long perChunk = Math.Max(1, Chunk / contiguous.element_size());
        for (long start = 0; start < numel; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, numel - start));
            action(part.bytes);
        }
    }

    public static void Write(Stream output, Tensor contiguous) => Visit(contiguous, output.Write);
}
