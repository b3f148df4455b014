using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using LiftedGan.Checkpoints;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>
/// Builds the hostile files of the reliability sweep (issue 17) in memory, deterministically and small: deep and
/// memo-shared tuple keys, colliding keys, deflate bombs, overlapping zip entries, inconsistent storages.
/// </summary>
internal static class HostileFiles
{
    /// <summary>A protocol-2 pickle assembled from opcodes.</summary>
    public sealed class Pickle
    {
        readonly MemoryStream _b = new();

        public Pickle() { Op(0x80, 2); }
        public Pickle Op(params int[] bytes) { foreach (int b in bytes) _b.WriteByte((byte)b); return this; }
        public Pickle Raw(ReadOnlySpan<byte> bytes) { _b.Write(bytes); return this; }
        public Pickle Str(string s)
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            Op('X');
            Span<byte> n = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(n, utf8.Length);
            return Raw(n).Raw(utf8);
        }
        public Pickle Int(int v)
        {
            Op('J');
            Span<byte> n = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(n, v);
            return Raw(n);
        }
        public Pickle Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        public Pickle Put(int i) { Op('r'); Span<byte> n = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(n, i); return Raw(n); }
        public Pickle Get(int i) { Op('j'); Span<byte> n = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(n, i); return Raw(n); }

        /// <summary>A float32 tensor of <paramref name="numel"/> elements viewing storage <paramref name="key"/>.</summary>
        public Pickle Tensor(string key, int numel, int storageNumel)
        {
            Global("torch._utils", "_rebuild_tensor_v2").Op('(');
            Op('(').Str("storage").Global("torch", "FloatStorage").Str(key).Str("cpu").Int(storageNumel).Op('t', 'Q');
            Int(0).Int(numel).Op(0x85).Int(1).Op(0x85).Op(0x89, 'N', 't', 'R');
            return this;
        }

        public byte[] Stop() { Op('.'); return _b.ToArray(); }
    }

    /// <summary>One zip entry as written: raw bytes in the file, method, declared CRC and size; or an alias of an earlier entry's bytes.</summary>
    public sealed record RawEntry(string Name, byte[] Raw, bool Deflated, uint Crc, long Size, int AliasOf = -1);

    public static RawEntry Stored(string name, byte[] data) => new(name, data, false, Crc32.Of(data), data.Length);

    public static RawEntry Deflated(string name, byte[] data, long? declared = null)
    {
        using var ms = new MemoryStream();
        using (var d = new DeflateStream(ms, CompressionLevel.Fastest, leaveOpen: true)) d.Write(data);
        return new(name, ms.ToArray(), true, Crc32.Of(data), declared ?? data.Length);
    }

    /// <summary>A zip archive of raw entries (an alias shares the local header and bytes of an earlier entry).</summary>
    public static byte[] Zip(IReadOnlyList<RawEntry> entries, bool zip64 = false)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        var offsets = new long[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.AliasOf >= 0) { offsets[i] = offsets[e.AliasOf]; continue; }
            offsets[i] = ms.Position;
            var name = Encoding.UTF8.GetBytes(e.Name);
            w.Write(0x04034b50u); w.Write((ushort)20); w.Write((ushort)0); w.Write((ushort)(e.Deflated ? 8 : 0));
            w.Write((ushort)0); w.Write((ushort)0x21); w.Write(e.Crc); w.Write((uint)e.Raw.Length); w.Write((uint)Math.Min(e.Size, uint.MaxValue));
            w.Write((ushort)name.Length); w.Write((ushort)0); w.Write(name); w.Write(e.Raw);
        }
        long dir = ms.Position;
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i].AliasOf >= 0 ? entries[i] with { Raw = entries[entries[i].AliasOf].Raw } : entries[i];
            var name = Encoding.UTF8.GetBytes(e.Name);
            w.Write(0x02014b50u); w.Write((ushort)20); w.Write((ushort)20); w.Write((ushort)0); w.Write((ushort)(e.Deflated ? 8 : 0));
            w.Write((ushort)0); w.Write((ushort)0x21); w.Write(e.Crc); w.Write((uint)e.Raw.Length); w.Write((uint)Math.Min(e.Size, uint.MaxValue));
            w.Write((ushort)name.Length); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write(0u);
            w.Write((uint)offsets[i]); w.Write(name);
        }
        long end = ms.Position;
        if (zip64)
        {
            // zip64 end record and locator; the classic end record then defers to them.
            w.Write(0x06064b50u); w.Write(44UL); w.Write((ushort)45); w.Write((ushort)45); w.Write(0u); w.Write(0u);
            w.Write((ulong)entries.Count); w.Write((ulong)entries.Count); w.Write((ulong)(end - dir)); w.Write((ulong)dir);
            w.Write(0x07064b50u); w.Write(0u); w.Write((ulong)end); w.Write(1u);
            w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0xFFFF); w.Write((ushort)0xFFFF);
            w.Write(0xFFFFFFFFu); w.Write(0xFFFFFFFFu); w.Write((ushort)0);
            w.Flush();
            return ms.ToArray();
        }
        w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)entries.Count); w.Write((ushort)entries.Count);
        w.Write((uint)(end - dir)); w.Write((uint)dir); w.Write((ushort)0);
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>A torch zip with <paramref name="pickle"/> as data.pkl and the given storage entries.</summary>
    public static byte[] TorchZip(byte[] pickle, params RawEntry[] storages) => TorchZip(false, pickle, storages);

    /// <summary>Like <see cref="TorchZip(byte[], RawEntry[])"/>, optionally with zip64 end records.</summary>
    public static byte[] TorchZip(bool zip64, byte[] pickle, params RawEntry[] storages) =>
        Zip(new[] { Stored("a/data.pkl", pickle) }.Concat(storages).Append(Stored("a/version", "3\n"u8.ToArray())).ToList(), zip64);

    /// <summary>Class 1: an OrderedDict (or a SETITEM dict) whose one key is a tuple nested <paramref name="depth"/> deep.</summary>
    public static byte[] DeepKey(int depth, bool orderedDict)
    {
        var p = new Pickle();
        if (orderedDict) p.Global("collections", "OrderedDict").Op(']');
        else p.Op('}');
        p.Op(')');
        for (int i = 0; i < depth; i++) p.Op(0x85);
        p.Op('K', 1);
        if (orderedDict) p.Op(0x86, 'a', 0x85, 'R');
        else p.Op('s');
        return p.Stop();
    }

    /// <summary>Class 3: a key whose tuples share one child through the memo, <paramref name="width"/> wide and <paramref name="depth"/> deep (width^depth nodes).</summary>
    public static byte[] MemoSharedKey(int width, int depth, bool orderedDict)
    {
        var p = new Pickle();
        if (orderedDict) p.Global("collections", "OrderedDict").Op(']');
        else p.Op('}');
        p.Op(')').Put(0).Op('0');
        for (int level = 1; level <= depth; level++)
        {
            p.Op('(');
            for (int i = 0; i < width; i++) p.Get(level - 1);
            p.Op('t').Put(level);
            if (level < depth) p.Op('0');
        }
        p.Op('K', 1);
        if (orderedDict) p.Op(0x86, 'a', 0x85, 'R');
        else p.Op('s');
        // Touch the key again, as printing would.
        return p.Stop();
    }

    /// <summary>Class 3: <paramref name="count"/> OrderedDict keys that differ only below tuple depth <paramref name="depth"/>.</summary>
    public static byte[] CollidingKeys(int count, int depth)
    {
        var p = new Pickle().Global("collections", "OrderedDict").Op(']');
        for (int k = 0; k < count; k++)
        {
            p.Int(k);
            for (int i = 0; i < depth; i++) p.Op(0x85);
            p.Op('K', 1, 0x86, 'a');
        }
        p.Op(0x85, 'R');
        return p.Stop();
    }

    /// <summary>Class 2: data.pkl deflated from <paramref name="zeros"/> zero bytes after a valid pickle, or a tiny entry declaring <paramref name="declared"/> bytes.</summary>
    public static byte[] PickleBomb(int zeros, long? declared = null)
    {
        var data = new byte[zeros + 3];
        data[0] = 0x80; data[1] = 2; data[2] = (byte)'N';
        data[^1] = (byte)'.';
        return Zip(new[] { Deflated("a/data.pkl", data, declared), Stored("a/version", "3\n"u8.ToArray()) });
    }

    /// <summary>Class 2: a tensor whose storage is deflated from <paramref name="numel"/> zero floats.</summary>
    public static byte[] StorageBomb(int numel) =>
        TorchZip(new Pickle().Op('}').Str("w").Tensor("0", numel, numel).Op('s').Stop(), Deflated("a/data/0", new byte[numel * 4L]));

    /// <summary>Class 2: <paramref name="count"/> storages whose directory entries all point at one stored block of <paramref name="numel"/> floats.</summary>
    public static byte[] OverlappingStorages(int count, int numel)
    {
        var p = new Pickle().Op(']');
        for (int i = 0; i < count; i++) p.Tensor(i.ToString(System.Globalization.CultureInfo.InvariantCulture), numel, numel).Op('a');
        var block = new byte[numel * 4];
        var entries = new List<RawEntry> { Stored("a/data.pkl", p.Stop()), Stored("a/data/0", block) };
        for (int i = 1; i < count; i++) entries.Add(Stored($"a/data/{i}", block) with { AliasOf = 1 });
        return Zip(entries);
    }

    /// <summary>Class 4: one storage key named with two sizes (a 4-element file entry, a 1 M-element claim).</summary>
    public static byte[] InconsistentStorage(int small, int large) =>
        TorchZip(new Pickle().Op(']').Tensor("0", small, small).Op('a').Tensor("0", large, large).Op('a').Stop(),
            Stored("a/data/0", new byte[small * 4]));

    /// <summary>A valid torch zip of one float tensor of <paramref name="numel"/> elements, with byte <paramref name="flip"/> of its data flipped (or none).</summary>
    public static byte[] TensorFile(int numel, int flip = -1, bool zip64 = false)
    {
        var data = new byte[numel * 4];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7);
        var entry = Stored("a/data/0", data);
        if (flip >= 0) entry = entry with { Raw = data.ToArray() };
        if (flip >= 0) entry.Raw[flip] ^= 0x10;
        return TorchZip(zip64, new Pickle().Op('}').Str("w").Tensor("0", numel, numel).Op('s').Stop(), entry);
    }
}
