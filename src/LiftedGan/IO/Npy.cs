using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LiftedGan.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.IO;

/// <summary>A .npy file that cannot be read: names the file and the problem.</summary>
public sealed class NpyFormatException(string path, string problem)
    : LiftedGanException(path, problem)
{
    public string Path { get; } = path;
}

/// <summary>
/// NumPy .npy (format 1.0–3.0) reader and writer for the dtypes this toolkit exchanges: float32, float64, int64,
/// int32 (read), int16, int8, uint8, bool; C or Fortran order on read, C order on write. Used to exchange latents and
/// outputs with other tools and for parity fixtures.
/// </summary>
public static partial class Npy
{
    static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
    const long MaxElements = 1L << 34;

    /// <summary>Reads a .npy file into a CPU tensor of the matching dtype.</summary>
    public static Tensor Load(string path)
    {
        byte[] data;
        if (File.Exists(path) && !LiftedGan.IO.FileKind.IsRegularFile(path))
            throw new NpyFormatException(path, "is not a regular file (a FIFO, socket or device is refused)");
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFormatException(path, $"cannot read: {e.Message}");
        }
        return Parse(data, path);
    }

    /// <summary>Parses .npy bytes; <paramref name="name"/> is used in error messages.</summary>
    public static Tensor Parse(ReadOnlySpan<byte> data, string name = "<npy>")
    {
        if (data.Length < 10 || !data[..6].SequenceEqual(Magic)) throw new NpyFormatException(name, "not a .npy file (bad magic)");
        int major = data[6];
        int headerLen, start;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]); start = 10; }
        else if (major is 2 or 3)
        {
            if (data.Length < 12) throw new NpyFormatException(name, "truncated header");
            long hl = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            if (hl > data.Length) throw new NpyFormatException(name, "header length beyond end of file");
            headerLen = (int)hl; start = 12;
        }
        else throw new NpyFormatException(name, $"unsupported .npy version {major}");
        if (start + headerLen > data.Length) throw new NpyFormatException(name, "truncated header");
        string header = Encoding.UTF8.GetString(data.Slice(start, headerLen));

        string descr = HeaderField(header, "descr", name).Trim('\'', '"');
        bool fortran = HeaderField(header, "fortran_order", name) == "True";
        long[] shape = ParseShape(HeaderField(header, "shape", name), name);

        (ScalarType type, int size, bool bigEndian) = ParseDescr(descr, name);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || d > MaxElements) throw new NpyFormatException(name, $"bad dimension {d}");
            if (d != 0 && count > MaxElements / d)
                throw new NpyFormatException(name, $"array too large: shape {P(string.Join("x", shape))} has more than {MaxElements} elements");
            count *= d;
        }
        long bytes = count * size;
        var payload = data[(start + headerLen)..];
        if (payload.Length < bytes) throw new NpyFormatException(name, $"truncated data: {payload.Length} bytes, need {bytes}");

        byte[] raw = payload[..(int)bytes].ToArray();
        if (bigEndian && size > 1) for (long i = 0; i < count; i++) Array.Reverse(raw, (int)(i * size), size);
        long[] memShape = fortran ? shape.Reverse().ToArray() : shape;
        var t = torch.empty(memShape, dtype: type);
        raw.CopyTo(t.bytes);
        if (fortran && shape.Length > 1)
        {
            var perm = Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray();
            using var p = t.permute(perm);
            var c = p.contiguous();
            t.Dispose();
            return c;
        }
        return t;
    }

    /// <summary>Writes a tensor as a C-order .npy (version 1.0) file, atomically.</summary>
    public static void Save(string path, Tensor tensor)
    {
        string descr = tensor.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Float64 => "<f8",
            ScalarType.Int64 => "<i8",
            ScalarType.Int32 => "<i4",
            ScalarType.Int16 => "<i2",
            ScalarType.Int8 => "|i1",
            ScalarType.Byte => "|u1",
            ScalarType.Bool => "|b1",
            ScalarType.Float16 => "<f2",
            _ => throw new ArgumentException($"{path}: dtype {tensor.dtype} cannot be written as .npy"),
        };
        using var c = tensor.detach().cpu().contiguous();
        string shape = c.shape.Length switch
        {
            0 => "()",
            1 => $"({c.shape[0]},)",
            _ => "(" + string.Join(", ", c.shape) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        using var ms = new MemoryStream();
        ms.Write(Magic);
        ms.WriteByte(1); ms.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        ms.Write(len);
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(c.bytes);
        AtomicFile.WriteAllBytes(path, ms.ToArray());
    }

    static string P(string s) => UntrustedText.Printable(s);

    static string HeaderField(string header, string key, string name)
    {
        var m = Regex.Match(header, $@"['""]{key}['""]\s*:\s*(\([^)]*\)|'[^']*'|""[^""]*""|True|False)");
        if (!m.Success) throw new NpyFormatException(name, $"header has no '{key}'");
        return m.Groups[1].Value;
    }

    static long[] ParseShape(string s, string name)
    {
        var inner = s.Trim('(', ')');
        var parts = inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.Integer, CultureInfo.InvariantCulture, out shape[i]))
                throw new NpyFormatException(name, $"bad shape {P(s)}");
        return shape;
    }

    static (ScalarType, int, bool) ParseDescr(string d, string name)
    {
        if (d.Length < 2) throw new NpyFormatException(name, $"bad dtype '{P(d)}'");
        bool big = d[0] == '>';
        string code = d[0] is '<' or '>' or '|' or '=' ? d[1..] : d;
        return code switch
        {
            "f4" => (ScalarType.Float32, 4, big),
            "f8" => (ScalarType.Float64, 8, big),
            "f2" => (ScalarType.Float16, 2, big),
            "i8" => (ScalarType.Int64, 8, big),
            "i4" => (ScalarType.Int32, 4, big),
            "i2" => (ScalarType.Int16, 2, big),
            "i1" => (ScalarType.Int8, 1, false),
            "u1" => (ScalarType.Byte, 1, false),
            "b1" => (ScalarType.Bool, 1, false),
            _ => throw new NpyFormatException(name, $"unsupported dtype '{P(d)}'"),
        };
    }
}
