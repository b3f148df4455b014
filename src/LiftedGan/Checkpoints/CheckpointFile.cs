using System.Buffers.Binary;

namespace LiftedGan.Checkpoints;

/// <summary>The kinds of file <see cref="TorchCheckpoint.Load(string)"/> understands.</summary>
public enum CheckpointFormat
{
    /// <summary>Not a checkpoint this toolkit reads.</summary>
    Unknown,
    /// <summary>PyTorch ≥ 1.6 zip format.</summary>
    TorchZip,
    /// <summary>A pickle stream: PyTorch's legacy format or a plain pickle (e.g. numpy FID statistics).</summary>
    Pickle,
    /// <summary>safetensors.</summary>
    Safetensors,
}

/// <summary>Tells checkpoint formats apart by their first bytes.</summary>
public static class CheckpointFile
{
    /// <summary>The format of the file at <paramref name="path"/>; throws for a missing file or directory.</summary>
    public static CheckpointFormat Detect(string path)
    {
        using var file = TorchCheckpoint.Open(path);
        return Sniff(file);
    }

    /// <summary>Like <see cref="Detect(string)"/> on an open stream (rewound to the start); throws for unknown content.</summary>
    internal static CheckpointFormat Detect(Stream file, string path)
    {
        var format = Sniff(file);
        if (format != CheckpointFormat.Unknown) return format;
        Span<byte> tar = stackalloc byte[5];
        file.Position = 257;
        bool isTar = file.ReadAtLeast(tar, tar.Length, throwOnEndOfStream: false) == 5 && tar.SequenceEqual("ustar"u8);
        file.Position = 0;
        if (isTar) throw new CheckpointFormatException(path, "PyTorch's tar format (PyTorch < 0.4) is not supported");
        throw new CheckpointFormatException(path, "unknown format (not a PyTorch zip or legacy checkpoint, a pickle or safetensors)");
    }

    static CheckpointFormat Sniff(Stream file)
    {
        Span<byte> head = stackalloc byte[9];
        file.Position = 0;
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 && head[3] is 4 or 6) return CheckpointFormat.TorchZip;
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return CheckpointFormat.Pickle;
        if (n == 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) <= (ulong)(file.Length - 8))
            return CheckpointFormat.Safetensors;
        return CheckpointFormat.Unknown;
    }
}
