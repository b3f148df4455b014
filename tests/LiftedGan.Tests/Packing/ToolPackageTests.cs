using System.Diagnostics;
using Xunit;

namespace LiftedGan.Tests.Packing;

/// <summary>
/// The CLI packs as a .NET tool that installs into a tool path and runs `liftedgan info`, with the shipped models inside.
/// Slow (packing compresses libtorch, several minutes on 2 cores): runs only with LIFTEDGAN_SLOW_TESTS=1.
/// </summary>
public class ToolPackageTests
{
    public const string SlowVariable = "LIFTEDGAN_SLOW_TESTS";

    [SkippableFact]
    public void PackedToolInstallsAndRunsInfo()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable(SlowVariable) == "1",
            $"packing the tool takes minutes (libtorch is about 500 MB); set {SlowVariable}=1 to run it (scripts/install-tool.sh does the same by hand)");
        var root = Directory.CreateTempSubdirectory("liftedgan-tool").FullName;
        try
        {
            string pkg = Path.Combine(root, "pkg"), tools = Path.Combine(root, "tools");
            Run("dotnet", "pack", Path.Combine(Shared.RepoRoot, "src", "LiftedGan.Cli"), "-c", "Release", "-o", pkg);
            // liftedgan.VERSION.nupkg (beside it liftedgan.RID.VERSION.nupkg where the tool is RID-specific).
            string version = Directory.GetFiles(pkg, "liftedgan.*.nupkg").Select(f => Path.GetFileNameWithoutExtension(f)["liftedgan.".Length..])
                .Single(v => char.IsDigit(v[0]));
            // Only the packed folder as a package source: the version just packed, no network.
            string config = Path.Combine(root, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><clear /><add key="liftedgan" value="{pkg}" /></packageSources></configuration>
                """);
            Run("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "--version", version, "liftedgan");

            string output = Run(Path.Combine(tools, "liftedgan"), "info");
            Assert.Contains("TorchSharp ", output);
            Assert.Contains("native bootstrap:", output);
            foreach (var model in new[] { LiftedGan.Packing.ShippedModels.StyleGanFile, LiftedGan.Packing.ShippedModels.LiftFile, LiftedGan.Packing.ShippedModels.IdentityFile })
                Assert.True(Directory.EnumerateFiles(tools, model, SearchOption.AllDirectories).Any(f => Path.GetFileName(Path.GetDirectoryName(f)) == "models"),
                    $"the installed tool has no models/{model}");
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>Runs a program to the end; fails with its output unless it exits 0; returns its standard output.</summary>
    static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(30)), $"{program} {string.Join(' ', args)}: still running after 30 min");
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
