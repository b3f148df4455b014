using System.Runtime.InteropServices;

namespace LiftedGan.Torch;

/// <summary>
/// Transparent huge pages for libtorch's buffers. With the kernel's THP mode at <c>madvise</c> (common on servers and
/// VMs), malloc'd tensors live on 4 KiB pages unless glibc is told to advise huge pages, which it reads once at process
/// start from <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c> (glibc ≥ 2.35). <see cref="Reexecute"/> restarts the
/// process once with that tunable set (same pid, same arguments), so every command gets the faster memory without the
/// user arranging it. <c>LIFTEDGAN_HUGEPAGES=0</c> switches it off; measured effect: `bench lift` and `docs/numerics.md`.
/// </summary>
public static class HugePages
{
    /// <summary>The tunable glibc reads.</summary>
    public const string Tunable = "glibc.malloc.hugetlb=1";

    /// <summary>Environment switch: 0 keeps the process as started.</summary>
    public const string SwitchVariable = "LIFTEDGAN_HUGEPAGES";

    const string MarkerVariable = "LIFTEDGAN_HUGEPAGES_REEXEC";

    /// <summary>The kernel's THP mode (always, madvise or never), or null where it cannot be read (not Linux).</summary>
    public static string? KernelMode
    {
        get
        {
            try
            {
                var text = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
                int open = text.IndexOf('['), close = text.IndexOf(']');
                return open >= 0 && close > open ? text[(open + 1)..close] : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
    }

    /// <summary>True when this process started with the tunable set.</summary>
    public static bool TunableSet => (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.hugetlb=", StringComparison.Ordinal);

    /// <summary>One line for `info`: whether libtorch's buffers can be on huge pages in this process, and why.</summary>
    public static string Describe()
    {
        var mode = KernelMode ?? "unknown";
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        if (mode == "always") return "huge pages: kernel THP mode 'always' (every large buffer already eligible)";
        if (mode == "never") return "huge pages: kernel THP mode 'never' (not available)";
        if (TunableSet) return $"huge pages: on (kernel THP mode '{mode}', GLIBC_TUNABLES={tunables})";
        return $"huge pages: off (kernel THP mode '{mode}'; GLIBC_TUNABLES without {Tunable}; {SwitchVariable}={Environment.GetEnvironmentVariable(SwitchVariable) ?? "unset"})";
    }

    /// <summary>
    /// Replaces the current process by itself with <see cref="Tunable"/> added to GLIBC_TUNABLES, when that can help:
    /// Linux, kernel THP mode madvise, glibc ≥ 2.35, not switched off, not already set, not already re-executed.
    /// Returns only when it did nothing (or the exec failed; then the process simply goes on without huge pages).
    /// Call first thing in Main, before any output.
    /// </summary>
    public static void Reexecute()
    {
        if (!ShouldReexecute()) return;
        string[] argv;
        try
        {
            argv = File.ReadAllText("/proc/self/cmdline").Split('\0', StringSplitOptions.None);
            if (argv.Length > 0 && argv[^1].Length == 0) argv = argv[..^1];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        if (argv.Length == 0) return;
        var env = new List<string?>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (key is "GLIBC_TUNABLES" or MarkerVariable) continue;
            env.Add($"{key}={e.Value}");
        }
        var existing = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        env.Add("GLIBC_TUNABLES=" + (string.IsNullOrEmpty(existing) ? Tunable : existing + ":" + Tunable));
        env.Add(MarkerVariable + "=1");
        env.Add(null);
        var args = argv.Cast<string?>().Append(null).ToArray();
        Console.Out.Flush();
        Console.Error.Flush();
        execve("/proc/self/exe", args, env.ToArray());
        // Only reached when exec failed: carry on as started.
    }

    static bool ShouldReexecute()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Environment.GetEnvironmentVariable(SwitchVariable) == "0") return false;
        if (Environment.GetEnvironmentVariable(MarkerVariable) is not null) return false;
        if (TunableSet) return false;
        if (KernelMode != "madvise") return false;
        return GlibcAtLeast(2, 35);
    }

    static bool GlibcAtLeast(int major, int minor)
    {
        try
        {
            var text = Marshal.PtrToStringAnsi(gnu_get_libc_version());
            if (text is null) return false;
            var parts = text.Split('.');
            if (parts.Length < 2 || !int.TryParse(parts[0], out int a) || !int.TryParse(parts[1], out int b)) return false;
            return a > major || (a == major && b >= minor);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int execve(string path, string?[] argv, string?[] envp);

    [DllImport("libc")]
    static extern IntPtr gnu_get_libc_version();
}
