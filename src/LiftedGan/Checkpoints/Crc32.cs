using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The CRC-32 (IEEE 802.3, as zip uses it), computed incrementally: through the .NET runtime's own native zlib
/// (<c>CompressionNative_Crc32</c> of System.IO.Compression.Native, vectorised) where it can be found, else in
/// managed code eight bytes a step (slicing-by-8).
/// </summary>
internal sealed partial class Crc32
{
    static readonly uint[] Tables = CreateTables();
    static bool s_native = true;

    uint _state = 0xFFFFFFFFu;

    [LibraryImport("libSystem.IO.Compression.Native", EntryPoint = "CompressionNative_Crc32")]
    private static unsafe partial uint NativeCrc32(uint crc, byte* buffer, int length);

    /// <summary>Whether the native CRC is in use (false after it failed to load).</summary>
    internal static bool IsNative => s_native;

    /// <summary>Forces the managed implementation (for tests).</summary>
    internal static bool UseNative { set => s_native = value; }

    public unsafe void Append(ReadOnlySpan<byte> data)
    {
        if (s_native && data.Length >= 64)
        {
            try
            {
                uint value = _state ^ 0xFFFFFFFFu;
                fixed (byte* p = data)
                    for (int at = 0; at < data.Length;)
                    {
                        int n = Math.Min(data.Length - at, 1 << 30);
                        value = NativeCrc32(value, p + at, n);
                        at += n;
                    }
                _state = value ^ 0xFFFFFFFFu;
                return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { s_native = false; }
        }
        AppendManaged(data);
    }

    static uint[] CreateTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int s = 1; s < 8; s++)
            for (int n = 0; n < 256; n++)
                t[s * 256 + n] = (t[(s - 1) * 256 + n] >> 8) ^ t[t[(s - 1) * 256 + n] & 0xff];
        return t;
    }

    void AppendManaged(ReadOnlySpan<byte> data)
    {
        uint c = _state;
        var t = Tables.AsSpan();
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (int)(lo & 0xff)] ^ t[6 * 256 + (int)((lo >> 8) & 0xff)]
              ^ t[5 * 256 + (int)((lo >> 16) & 0xff)] ^ t[4 * 256 + (int)(lo >> 24)]
              ^ t[3 * 256 + (int)(hi & 0xff)] ^ t[2 * 256 + (int)((hi >> 8) & 0xff)]
              ^ t[1 * 256 + (int)((hi >> 16) & 0xff)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) c = t[(int)((c ^ b) & 0xff)] ^ (c >> 8);
        _state = c;
    }

    public uint Value => _state ^ 0xFFFFFFFFu;

    public static uint Of(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Append(data);
        return crc.Value;
    }
}
