using System.Runtime.CompilerServices;
using LiftedGan.Torch;
using Xunit;

// One test at a time: TorchSharp 0.107 frees an implicitly created Scalar (the alpha of `a + b`, the factor of `x * 0.5`)
// from its finalizer, which can run while the native call still reads it when another thread triggers a GC
// (docs/numerics.md, "TorchSharp finalizer race"). Parallel test collections are such threads.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LiftedGan.Tests;

/// <summary>
/// Access to the reference fixtures in `../shared/fixtures/` beside the clone (CI has them; a user's clone does not).
/// Tests that need them call <see cref="Fixture"/>, which skips the test with the reason when the folder is absent.
/// </summary>
public static class Shared
{
    /// <summary>The shared folder, found by walking up from the test binary to the folder holding the repository.</summary>
    public static string? Root { get; } = Locate();

    static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("LIFTEDGAN_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiftedGan.slnx")))
            {
                var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(Path.Combine(shared, "fixtures")) ? shared : null;
            }
        }
        return null;
    }

    /// <summary>Path of a fixture file (relative to shared/fixtures); skips the test when shared/ is absent.</summary>
    public static string Fixture(string relative)
    {
        Skip.If(Root == null, "../shared/fixtures is not beside this clone (CI has it; a user's clone does not)");
        var path = Path.Combine(Root!, "fixtures", relative);
        Assert.True(File.Exists(path) || Directory.Exists(path), $"fixture missing: {path}");
        return path;
    }

    /// <summary>The repository root (for tests that look at committed files).</summary>
    public static string RepoRoot { get; } = FindRepo();

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LiftedGan.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

#pragma warning disable CA2255 // test assembly: make libtorch loadable before any test touches TorchSharp
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LoadTorch() => NativeBootstrap.Apply();
}
