using System.Diagnostics;
using LiftedGan.Torch;
using Xunit;

namespace LiftedGan.Tests.Torch;

/// <summary>The CLI restarts itself once with glibc's huge-page tunable, keeps its arguments and exit code, and can be switched off.</summary>
public class HugePagesTests
{
    static (int ExitCode, string Output) RunCli(Dictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(typeof(Cli.Program).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GLIBC_TUNABLES");
        psi.Environment.Remove(HugePages.SwitchVariable);
        foreach (var (k, v) in env)
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void TheCliTurnsHugePagesOnWhereTheyHelpAndKeepsExitCodes()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (rc, text) = RunCli(new(), "info");
        Assert.True(rc == 0, text);
        var line = text.Split('\n').Single(l => l.StartsWith("huge pages:", StringComparison.Ordinal));
        // Re-executed exactly where the tunable makes a difference: THP in madvise mode (glibc 2.35+ assumed on the
        // supported distributions; an older glibc leaves it off, which the line then says).
        if (HugePages.KernelMode == "madvise")
            Assert.True(line.StartsWith("huge pages: on", StringComparison.Ordinal) || line.Contains("off"), line);
        if (HugePages.KernelMode == "madvise" && File.Exists("/etc/debian_version") && File.ReadAllText("/etc/debian_version").StartsWith("12"))
            Assert.StartsWith("huge pages: on (kernel THP mode 'madvise', GLIBC_TUNABLES=glibc.malloc.hugetlb=1)", line);

        var (rcOff, textOff) = RunCli(new() { [HugePages.SwitchVariable] = "0" }, "info");
        Assert.True(rcOff == 0, textOff);
        Assert.DoesNotContain("huge pages: on", textOff);

        // Existing tunables are kept; a failing command's exit code and one-line error come through the restart.
        var (rcKeep, textKeep) = RunCli(new() { ["GLIBC_TUNABLES"] = "glibc.malloc.check=0" }, "info");
        Assert.True(rcKeep == 0, textKeep);
        if (line.StartsWith("huge pages: on", StringComparison.Ordinal))
            Assert.Contains("GLIBC_TUNABLES=glibc.malloc.check=0:glibc.malloc.hugetlb=1", textKeep);
        var (rcBad, textBad) = RunCli(new(), "inspect", "/nonexistent/x.pt");
        Assert.Equal(1, rcBad);
        Assert.Contains("/nonexistent/x.pt", textBad);
    }
}
