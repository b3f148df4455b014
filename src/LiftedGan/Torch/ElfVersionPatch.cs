using System.Buffers.Binary;
using System.Text;

namespace LiftedGan.Torch;

/// <summary>
/// Reads and edits the version-needs table (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared object.
/// Used to mark one required symbol version as weak (VER_FLG_WEAK), so the dynamic loader accepts a libstdc++
/// that lacks it. Pure byte manipulation: nothing from the file is executed.
/// </summary>
public static class ElfVersionPatch
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    /// <summary>The ELF flag that makes a version need optional.</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>One entry of the version-needs table.</summary>
    public readonly record struct VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Lists every (library, version) pair the object requires, with the file offset of its flags.</summary>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        if (shentsize < 64 || shoff <= 0 || shoff + (long)shentsize * shnum > elf.Length)
            throw new InvalidDataException("section header table out of range");

        var result = new List<VersionNeed>();
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, sh + 0x18), size = (long)U64(elf, sh + 0x20);
            int link = (int)U32(elf, sh + 0x28);
            int strSh = checked((int)(shoff + (long)link * shentsize));
            long strOff = (long)U64(elf, strSh + 0x18), strSize = (long)U64(elf, strSh + 0x20);
            if (offset + size > elf.Length || strOff + strSize > elf.Length)
                throw new InvalidDataException("version section out of range");

            long need = offset;
            for (int guard = 0; guard < 4096; guard++)
            {
                int n = checked((int)need);
                int count = U16(elf, n + 2);
                string file = Str(elf, strOff, strSize, U32(elf, n + 4));
                long aux = need + U32(elf, n + 8);
                for (int k = 0; k < count; k++)
                {
                    int a = checked((int)aux);
                    ushort flags = (ushort)U16(elf, a + 4);
                    string version = Str(elf, strOff, strSize, U32(elf, a + 8));
                    result.Add(new VersionNeed(file, version, flags, a + 4));
                    uint nextAux = U32(elf, a + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, n + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the need for <paramref name="version"/>. Returns false when the object does not need
    /// that version or already marks it weak (nothing changed).
    /// </summary>
    public static bool MakeWeak(byte[] elf, string version)
    {
        bool changed = false;
        foreach (var need in ReadVersionNeeds(elf))
        {
            if (need.Version != version || need.IsWeak) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(checked((int)need.FlagsOffset)), (ushort)(need.Flags | VerFlagWeak));
            changed = true;
        }
        return changed;
    }

    static int U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at, 2));
    static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at, 4));
    static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at, 8));

    static string Str(ReadOnlySpan<byte> b, long tableOffset, long tableSize, uint index)
    {
        if (index >= tableSize) throw new InvalidDataException("string index out of range");
        var s = b.Slice(checked((int)(tableOffset + index)), checked((int)(tableSize - index)));
        int end = s.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? s : s[..end]);
    }
}
