using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LiftedGan.Checkpoints;

/// <summary>One entry of a zip archive, as its central directory and local header describe it (all checked).</summary>
internal sealed record ZipEntryInfo(string Name, bool Deflated, uint Crc, long CompressedLength, long Length, long HeaderOffset, long DataOffset);

/// <summary>
/// The central directory of a zip archive (zip64 included), read without trusting it: every entry must be stored or
/// deflated, unencrypted, named once, and its local header and data must lie inside the file before the central
/// directory without overlapping any other entry, so no two names can share bytes and a stored archive never yields
/// more bytes than the file holds.
/// </summary>
internal sealed class ZipDirectory
{
    const uint EndSignature = 0x06054b50, Zip64EndSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50;
    const uint CentralSignature = 0x02014b50, LocalSignature = 0x04034b50;

    readonly Stream _file;
    readonly string _path;

    public Dictionary<string, ZipEntryInfo> Entries { get; } = new(StringComparer.Ordinal);

    ZipDirectory(Stream file, string path)
    {
        _file = file;
        _path = path;
    }

    /// <summary>Reads and checks the directory; throws <see cref="CheckpointFormatException"/> for anything malformed.</summary>
    public static ZipDirectory Read(Stream file, string path, ReadBudget budget)
    {
        var zip = new ZipDirectory(file, path);
        zip.Load(budget);
        return zip;
    }

    void Load(ReadBudget budget)
    {
        long length = _file.Length;
        if (length < 22) throw Bad("corrupt zip archive: too short for an end record");
        int tailLength = (int)Math.Min(length, 22 + 65535);
        var tail = ReadAt(length - tailLength, tailLength);
        int end = -1;
        for (int i = tailLength - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature) { end = i; break; }
        if (end < 0) throw Bad("corrupt zip archive: no end of central directory record");
        var e = tail.AsSpan(end);
        long endAt = length - tailLength + end;
        long count = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        long dirLength = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long dirOffset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(e[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(e[6..]) != 0)
            throw Bad("multi-disk zip archives are not supported");
        long dirEnd = endAt;
        if (count == 0xFFFF || dirLength == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF)
        {
            if (endAt < 20) throw Bad("corrupt zip archive: zip64 locator missing");
            var locator = ReadAt(endAt - 20, 20);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == Zip64LocatorSignature)
            {
                long at = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8)), long.MaxValue);
                if (at > endAt - 20 - 56) throw Bad("corrupt zip archive: zip64 end record outside the file");
                var z = ReadAt(at, 56);
                if (BinaryPrimitives.ReadUInt32LittleEndian(z) != Zip64EndSignature) throw Bad("corrupt zip archive: bad zip64 end record");
                count = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(32)));
                dirLength = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(40)));
                dirOffset = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(z.AsSpan(48)));
                dirEnd = at;
            }
        }
        if (dirOffset > dirEnd || dirLength > dirEnd - dirOffset) throw Bad("corrupt zip archive: central directory outside the file");
        if (count > budget.Limits.MaxZipEntries) throw Bad($"zip archive has {count} entries, more than the {budget.Limits.MaxZipEntries} allowed");
        if (count > dirLength / 46) throw Bad($"corrupt zip archive: {count} entries cannot fit a {dirLength}-byte central directory");
        budget.Charge(dirLength, "the zip central directory");
        var dir = ReadAt(dirOffset, (int)Math.Min(dirLength, int.MaxValue - 64));
        if (dir.Length != dirLength) throw Bad("zip central directory larger than 2 GiB");

        var list = new List<ZipEntryInfo>((int)count);
        int p = 0;
        var utf8 = new UTF8Encoding(false, true);
        for (long n = 0; n < count; n++)
        {
            if (dir.Length - p < 46 || BinaryPrimitives.ReadUInt32LittleEndian(dir.AsSpan(p)) != CentralSignature)
                throw Bad($"corrupt zip archive: central directory entry {n} is malformed");
            var c = dir.AsSpan(p);
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(c[8..]);
            int method = BinaryPrimitives.ReadUInt16LittleEndian(c[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(c[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(c[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(c[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(c[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(c[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(c[32..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(c[42..]);
            if (dir.Length - p - 46 < nameLength + extraLength + commentLength) throw Bad($"corrupt zip archive: central directory entry {n} runs past its end");
            string name;
            try { name = utf8.GetString(c.Slice(46, nameLength)); }
            catch (DecoderFallbackException) { throw Bad($"zip entry {n} has a name that is not UTF-8"); }
            var extra = c.Slice(46 + nameLength, extraLength);
            ReadZip64Extra(extra, ref size, ref compressed, ref offset, name);
            p += 46 + nameLength + extraLength + commentLength;

            string shown = CheckpointLimits.Printable(name);
            if ((flags & 1) != 0) throw Bad($"zip entry '{shown}' is encrypted");
            if (method is not (0 or 8)) throw Bad($"zip entry '{shown}' uses compression method {method} (only stored and deflate are supported)");
            if (method == 0 && compressed != size) throw Bad($"stored zip entry '{shown}' has compressed size {compressed} but size {size}");
            if (offset > dirOffset - 30 || compressed > dirOffset) throw Bad($"zip entry '{shown}' lies outside the file");
            list.Add(new ZipEntryInfo(name, method == 8, crc, compressed, size, offset, -1));
        }

        list.Sort((a, b) => a.HeaderOffset.CompareTo(b.HeaderOffset));
        long previousEnd = 0;
        string previous = "";
        foreach (var entry in list)
        {
            string shown = CheckpointLimits.Printable(entry.Name);
            if (entry.HeaderOffset < previousEnd)
                throw Bad($"zip entries '{CheckpointLimits.Printable(previous)}' and '{shown}' overlap");
            var local = ReadAt(entry.HeaderOffset, 30);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature) throw Bad($"zip entry '{shown}' has no local header");
            long data = entry.HeaderOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
            if (data > dirOffset || entry.CompressedLength > dirOffset - data) throw Bad($"zip entry '{shown}' runs past the start of the central directory");
            if (!Entries.TryAdd(entry.Name, entry with { DataOffset = data })) throw Bad($"zip entry '{shown}' appears twice");
            previousEnd = data + entry.CompressedLength;
            previous = entry.Name;
        }
    }

    void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long offset, string name)
    {
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (len > extra.Length - 4) break;
            var body = extra.Slice(4, len).ToArray();
            if (id == 1)
            {
                int at = 0;
                long Next()
                {
                    if (body.Length - at < 8) throw Bad($"zip entry '{CheckpointLimits.Printable(name)}' has a short zip64 field");
                    long v = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(body.AsSpan(at)));
                    at += 8;
                    return v;
                }
                if (size == 0xFFFFFFFF) size = Next();
                if (compressed == 0xFFFFFFFF) compressed = Next();
                if (offset == 0xFFFFFFFF) offset = Next();
            }
            extra = extra[(4 + len)..];
        }
    }

    static long ToLong(ulong v) => v > long.MaxValue ? long.MaxValue : (long)v;

    /// <summary>Reads an entry whole (at most <paramref name="max"/> bytes), inflating it and checking its size and CRC.</summary>
    public byte[] ReadAll(ZipEntryInfo entry, long max, ReadBudget budget)
    {
        string shown = CheckpointLimits.Printable(entry.Name);
        if (entry.Length > max) throw Bad($"zip entry '{shown}' has {entry.Length} bytes, more than the {max} allowed");
        CheckRatio(entry, budget);
        budget.Charge(entry.Length, $"zip entry '{shown}'");
        var bytes = new byte[entry.Length];
        using (var s = Open(entry)) ReadExactly(s, bytes, entry);
        if (budget.Limits.VerifyCrc && Crc32.Of(bytes) != entry.Crc) throw Bad($"zip entry '{shown}' fails its CRC-32 check (corrupt data)");
        return bytes;
    }

    /// <summary>Throws unless a deflated entry's declared ratio is within <see cref="CheckpointLimits.MaxCompressionRatio"/>.</summary>
    public void CheckRatio(ZipEntryInfo entry, ReadBudget budget)
    {
        if (entry.Deflated && entry.Length > 1 << 20 && entry.Length / Math.Max(1, entry.CompressedLength) > budget.Limits.MaxCompressionRatio)
            throw Bad($"zip entry '{CheckpointLimits.Printable(entry.Name)}' would inflate {entry.CompressedLength} bytes to {entry.Length} " +
                      $"(ratio above {budget.Limits.MaxCompressionRatio})");
    }

    /// <summary>The entry's content as a stream of exactly <see cref="ZipEntryInfo.Length"/> bytes at most (inflated when needed).</summary>
    public Stream Open(ZipEntryInfo entry)
    {
        var raw = new FileSlice(_file, entry.DataOffset, entry.CompressedLength);
        return entry.Deflated ? new DeflateStream(raw, CompressionMode.Decompress) : raw;
    }

    /// <summary>Fills <paramref name="buffer"/> from an entry stream, turning a short or corrupt stream into a typed error.</summary>
    public void ReadExactly(Stream s, Span<byte> buffer, ZipEntryInfo entry)
    {
        try
        {
            if (s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
                throw Bad($"zip entry '{CheckpointLimits.Printable(entry.Name)}' is shorter than its declared {entry.Length} bytes");
        }
        catch (InvalidDataException e) { throw Bad($"zip entry '{CheckpointLimits.Printable(entry.Name)}': corrupt deflate data ({e.Message})"); }
    }

    byte[] ReadAt(long offset, int count)
    {
        var buffer = new byte[count];
        _file.Position = offset;
        if (_file.ReadAtLeast(buffer, count, throwOnEndOfStream: false) < count) throw Bad("corrupt zip archive: truncated");
        return buffer;
    }

    CheckpointFormatException Bad(string problem) => new(_path, problem);

    /// <summary>A read-only window [start, start + length) of a seekable stream (which it repositions on each read).</summary>
    sealed class FileSlice(Stream inner, long start, long length) : Stream
    {
        long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - _position;
            if (left <= 0) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            inner.Position = start + _position;
            int n = inner.Read(buffer);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
