using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LiftedGan.IO;

/// <summary>
/// Writes files via a temporary sibling (<c>.NAME.PID.GUID.tmp</c>) and a rename, so a reader never sees a
/// half-written file. The first write into a folder in a process removes temporary files of ours that a killed
/// process left there (only names of exactly that pattern whose process is gone).
/// </summary>
public static partial class AtomicFile
{
    static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    [GeneratedRegex(@"^\..+\.([0-9]{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();

    /// <summary>
    /// Deletes the leftovers of interrupted writes in <paramref name="folder"/>: files named <c>.NAME.PID.GUID.tmp</c>
    /// whose PID is not a running process. Returns how many were removed; errors are ignored (best effort).
    /// </summary>
    public static int RemoveStaleTemporaries(string folder)
    {
        int removed = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
            {
                var m = TempName().Match(Path.GetFileName(file));
                if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                if (pid == Environment.ProcessId || IsRunning(pid)) continue;
                try { File.Delete(file); removed++; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
        return removed;
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using (var s = Create(path, out var commit)) { s.Write(bytes); commit(); }
    }

    /// <summary>
    /// Opens a temporary file beside <paramref name="path"/>; calling <paramref name="commit"/> after writing
    /// (and before disposing) renames it into place. Disposing without commit deletes the temporary file.
    /// </summary>
    public static Stream Create(string path, out Action commit)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (Directory.Exists(full)) throw new IOException($"{path}: is a directory");
        Directory.CreateDirectory(dir);
        if (Swept.TryAdd(dir, true)) RemoveStaleTemporaries(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var stream = new CommitStream(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None), temp, full);
        commit = stream.Commit;
        return stream;
    }

    sealed class CommitStream(FileStream inner, string temp, string target) : Stream
    {
        bool _committed;

        public void Commit()
        {
            inner.Flush(true);
            inner.Dispose();
            File.Move(temp, target, overwrite: true);
            _committed = true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_committed)
            {
                inner.Dispose();
                try { File.Delete(temp); } catch (IOException) { /* best effort */ }
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => !_committed && inner.CanSeek;
        public override bool CanWrite => !_committed;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
