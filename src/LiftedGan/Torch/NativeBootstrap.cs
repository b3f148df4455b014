using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace LiftedGan.Torch;

/// <summary>
/// Makes TorchSharp's native library load on Linux systems whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12,
/// Ubuntu 22.04). libLibTorchSharp.so binds a single symbol, used by no relocation, to that version; marking the
/// version need weak lets the loader accept the older libstdc++. The patch is written to the copy that the build
/// (or publish) output loads, atomically, never to the NuGet cache. Where that folder is read-only, a patched copy
/// goes to a user cache folder and is pre-loaded with its dependencies. On systems that need nothing, nothing changes.
/// Runs before the first TorchSharp call (module initializer of this assembly; <see cref="TorchRuntime"/> calls it too).
/// </summary>
public static class NativeBootstrap
{
    /// <summary>The version need the fix makes weak.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";
    const string NativeName = "libLibTorchSharp.so";

    static readonly object Gate = new();
    static bool _done;
    static readonly List<string> ReportLines = new();

    /// <summary>What the bootstrap found and did, one line per step (for error messages and `liftedgan info`).</summary>
    public static IReadOnlyList<string> Report { get { lock (Gate) return ReportLines.ToArray(); } }

#pragma warning disable CA2255 // a library module initializer is the point: it must run before TorchSharp's first call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLoad() => Apply();

    /// <summary>Applies the fix once per process if this system needs it. Never throws.</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (_done) return;
            _done = true;
            try { ApplyCore(); }
            catch (Exception e) { ReportLines.Add($"bootstrap failed: {e.GetType().Name}: {e.Message}"); }
        }
    }

    static void ApplyCore()
    {
        if (!OperatingSystem.IsLinux()) { ReportLines.Add("not Linux: nothing to do"); return; }
        string? libstdcxx = FindLoadedLibStdCxx();
        bool hasVersion = libstdcxx != null && FileContains(libstdcxx, MissingVersion + "\0");
        ReportLines.Add($"libstdc++: {libstdcxx ?? "not found"}; provides {MissingVersion}: {hasVersion}");
        if (hasVersion) return;

        var candidates = NativeCandidates().Where(File.Exists).ToList();
        if (candidates.Count == 0) { ReportLines.Add($"no {NativeName} found beside TorchSharp.dll"); return; }
        foreach (var path in candidates)
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (!ElfVersionPatch.MakeWeak(bytes, MissingVersion))
            {
                ReportLines.Add($"{path}: already loadable");
                continue;
            }
            if (TryReplaceAtomically(path, bytes, out string? why))
            {
                ReportLines.Add($"{path}: marked {MissingVersion} weak");
                continue;
            }
            ReportLines.Add($"{path}: folder not writable ({why}); using a patched copy in the user cache");
            PreloadPatchedCopy(path, bytes);
        }
    }

    /// <summary>Where TorchSharp looks first: beside its assembly (RID-specific build) or under runtimes/.</summary>
    static IEnumerable<string> NativeCandidates()
    {
        string dir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) ?? AppContext.BaseDirectory;
        yield return Path.Combine(dir, NativeName);
        yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", NativeName);
        yield return Path.Combine(dir, "runtimes", "linux-x64", "native", NativeName);
    }

    static bool TryReplaceAtomically(string path, byte[] bytes, out string? why)
    {
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            // The output file may be a hard link into the NuGet cache: rename replaces the link, not the cache file.
            File.Move(temp, path, overwrite: true);
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception) { /* best effort */ }
            why = e.Message;
            return false;
        }
    }

    static void PreloadPatchedCopy(string original, byte[] bytes)
    {
        string cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string dir = Path.Combine(cacheRoot, "liftedgan", "native", $"{bytes.Length:x}-{Fnv(bytes):x16}");
        Directory.CreateDirectory(dir);
        string patched = Path.Combine(dir, NativeName);
        if (!File.Exists(patched)) TryReplaceAtomically(patched, bytes, out _);
        string nativeDir = Path.GetDirectoryName(original)!;
        foreach (var dep in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string p = Path.Combine(nativeDir, dep);
            if (File.Exists(p)) NativeLibrary.Load(p);
        }
        NativeLibrary.Load(patched);
        ReportLines.Add($"pre-loaded {patched}");
    }

    static ulong Fnv(byte[] data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) { h ^= b; h *= 1099511628211UL; }
        return h;
    }

    /// <summary>The libstdc++ this process uses (the .NET host links it), else the usual system paths.</summary>
    static string? FindLoadedLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int at = line.IndexOf('/');
                if (at >= 0 && line.Contains("libstdc++.so", StringComparison.Ordinal)) return line[at..].Trim();
            }
        }
        catch (IOException) { /* fall through to fixed paths */ }
        foreach (var p in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
            if (File.Exists(p)) return p;
        return null;
    }

    static bool FileContains(string path, string text)
    {
        byte[] needle = Encoding.ASCII.GetBytes(text);
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }
}
