using System.Buffers.Binary;
using System.Text;

namespace LiftedGan.Checkpoints;

/// <summary>
/// Writes an uncompressed ("stored") zip archive as PyTorch does: each entry's data starts on a 64-byte boundary
/// (padded with an extra field), so libtorch can map storages directly. Archives up to 4 GiB (no zip64).
/// </summary>
internal sealed class StoredZipWriter(Stream output, string path)
{
    const int Alignment = 64;
    readonly List<(string Name, uint Crc, long Size, long Offset)> _entries = new();
    long _position;

    /// <summary>Adds an entry whose CRC and size are known; <paramref name="writeData"/> writes exactly <paramref name="size"/> bytes.</summary>
    public void Add(string name, long size, uint crc, Action<Stream> writeData)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        long offset = _position;
        int pad = (int)((Alignment - (offset + 30 + nameBytes.Length + 4) % Alignment) % Alignment);
        if (offset + 30 + nameBytes.Length + 4 + pad + size >= uint.MaxValue || _entries.Count >= ushort.MaxValue)
            throw new ArgumentException($"{path}: checkpoint larger than 4 GiB is not supported by this writer");
        var header = new byte[30 + nameBytes.Length + 4 + pad];
        var h = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20); // version needed
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], 0); // time
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], 0x21); // date 1980-01-01
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(4 + pad));
        nameBytes.CopyTo(h[30..]);
        BinaryPrimitives.WriteUInt16LittleEndian(h[(30 + nameBytes.Length)..], 0x4246); // "FB" padding field
        BinaryPrimitives.WriteUInt16LittleEndian(h[(32 + nameBytes.Length)..], (ushort)pad);
        output.Write(header);
        writeData(output);
        _position = offset + header.Length + size;
        _entries.Add((name, crc, size, offset));
    }

    /// <summary>Adds a small in-memory entry.</summary>
    public void Add(string name, byte[] data) => Add(name, data.Length, Crc32.Of(data), s => s.Write(data));

    /// <summary>Writes the central directory and the end record.</summary>
    public void Finish()
    {
        long start = _position;
        foreach (var (name, crc, size, offset) in _entries)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var c = new byte[46 + nameBytes.Length];
            var h = c.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20); // version made by
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 20); // version needed
            BinaryPrimitives.WriteUInt16LittleEndian(h[14..], 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(h[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h[42..], (uint)offset);
            nameBytes.CopyTo(h[46..]);
            output.Write(c);
            _position += c.Length;
        }
        if (_position >= uint.MaxValue) throw new ArgumentException($"{path}: checkpoint larger than 4 GiB is not supported by this writer");
        var end = new byte[22];
        var e = end.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)(_position - start));
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)start);
        output.Write(end);
    }
}
