namespace LiftedGan.Checkpoints;

/// <summary>The CRC-32 (IEEE 802.3, as zip uses it), computed incrementally.</summary>
internal sealed class Crc32
{
    static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    uint _state = 0xFFFFFFFFu;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint c = _state;
        foreach (byte b in data) c = Table[(c ^ b) & 0xff] ^ (c >> 8);
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
