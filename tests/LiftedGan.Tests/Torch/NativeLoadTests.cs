using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Torch;

public class NativeLoadTests
{
    static string OutputNative => Path.Combine(Path.GetDirectoryName(typeof(torch).Assembly.Location)!, "libLibTorchSharp.so");

    [Fact]
    public void TorchLoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new[] { 5f, 14f, 14f, 50f }, b.data<float>().ToArray());
    }

    [Fact]
    public void NativeLibraryNeedsTheVersionAndPatchMakesItWeak()
    {
        Assert.True(File.Exists(OutputNative), OutputNative);
        var bytes = File.ReadAllBytes(OutputNative);
        var needs = ElfVersionPatch.ReadVersionNeeds(bytes);
        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.21");
        var target = Assert.Single(needs, n => n.Version == NativeBootstrap.MissingVersion);

        var copy = (byte[])bytes.Clone();
        bool changed = ElfVersionPatch.MakeWeak(copy, NativeBootstrap.MissingVersion);
        Assert.Equal(!target.IsWeak, changed);
        Assert.True(ElfVersionPatch.ReadVersionNeeds(copy).Single(n => n.Version == NativeBootstrap.MissingVersion).IsWeak);
        // Exactly one byte may differ (the flags of that one need), and only when it was not weak yet.
        int diffs = bytes.Zip(copy).Count(p => p.First != p.Second);
        Assert.Equal(changed ? 1 : 0, diffs);
        Assert.False(ElfVersionPatch.MakeWeak(copy, NativeBootstrap.MissingVersion));
    }

    [Fact]
    public void BootstrapLeftTheLoadedCopyLoadable()
    {
        TorchRuntime.EnsureLoaded();
        var report = string.Join("\n", NativeBootstrap.Report);
        bool systemHasVersion = report.Contains($"provides {NativeBootstrap.MissingVersion}: True");
        var need = ElfVersionPatch.ReadVersionNeeds(File.ReadAllBytes(OutputNative)).Single(n => n.Version == NativeBootstrap.MissingVersion);
        // Where the system lacks the version, the copy beside TorchSharp.dll must now be weak; elsewhere untouched.
        if (!systemHasVersion) Assert.True(need.IsWeak, report);
        Assert.DoesNotContain("bootstrap failed", report);
    }

    [Fact]
    public void NonElfInputIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.ReadVersionNeeds(new byte[100]));
        var truncated = File.ReadAllBytes(OutputNative)[..200];
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.ReadVersionNeeds(truncated));
    }

    [Fact]
    public void DeviceSettingValidates()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ParseDevice("cpu").type);
        Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("tpu"));
        if (!torch.cuda.is_available()) Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("cuda"));
    }
}
