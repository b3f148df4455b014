namespace LiftedGan.Tests.Checkpoints;

/// <summary>
/// The process's peak resident memory (Linux VmHWM), resettable through <c>/proc/self/clear_refs</c> so a peak can be
/// measured around one operation. Elsewhere (or where the reset is refused) <see cref="Supported"/> is false.
/// </summary>
internal static class PeakMemory
{
    /// <summary>True when the peak can be read and reset.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && TryReset() && Peak() > 0;

    /// <summary>Resets the peak to the current resident size.</summary>
    public static bool TryReset()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Peak resident bytes since the last reset (0 when unknown).</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Current resident bytes (0 when unknown).</summary>
    public static long Current() => Read("VmRSS:");

    static long Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }
}
