using System.Runtime.InteropServices;

namespace LiftedGan.IO;

/// <summary>Tells regular files from FIFOs, sockets and devices before opening (opening a FIFO for reading blocks).</summary>
public static partial class FileKind
{
    /// <summary>
    /// True when <paramref name="path"/> (after symbolic links) is a regular file. On Linux this asks statx; elsewhere,
    /// or where statx is unavailable, it falls back to "exists and is not a directory".
    /// </summary>
    public static bool IsRegularFile(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                Span<byte> buffer = stackalloc byte[256];
                const int AtFdCwd = -100, StatxType = 1;
                if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) == 0)
                {
                    int mode = BitConverter.ToUInt16(buffer[28..30]);
                    return (mode & 0xF000) == 0x8000; // S_IFREG
                }
                return false;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { /* fall through */ }
        }
        return File.Exists(path);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);
}
