using System.Text.Json;
using LiftedGan.IO;
using LiftedGan.Synthetic;
using Xunit;

namespace LiftedGan.Tests.Synthetic;

public sealed class SynthDatasetTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"synth-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public void SameSeedGivesSameBytesAndAnInterruptedRunContinues()
    {
        string a = Path.Combine(_root, "a"), b = Path.Combine(_root, "b");
        var first = SynthDataset.Write(new SynthOptions(5, 32, 9, a) { BatchSize = 2 });
        Assert.Equal(5, first.Written);
        SynthDataset.Write(new SynthOptions(5, 32, 9, b) { BatchSize = 3 });
        var filesA = Files(a);
        var filesB = Files(b);
        Assert.Equal(filesA.Keys.OrderBy(k => k), filesB.Keys.OrderBy(k => k));
        foreach (var (name, bytes) in filesA) Assert.True(bytes.AsSpan().SequenceEqual(filesB[name]), $"{name} differs");
        Assert.Contains("image/000004.png", filesA.Keys);
        Assert.Equal(5 * (1 + SynthDataset.Kinds.Count) + 7, filesA.Count); // + world.json, index.csv, 5 arrays

        // Simulate an interruption: image 1's PNG and image 3's normal map are missing; index files are stale.
        File.Delete(Path.Combine(b, "image", "000001.png"));
        File.Delete(Path.Combine(b, "normal", "000003.npy"));
        File.Delete(Path.Combine(b, "index.csv"));
        var kept = Path.Combine(b, "depth", "000000.npy");
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(kept, stamp);
        var resumed = SynthDataset.Write(new SynthOptions(5, 32, 9, b));
        Assert.Equal(2, resumed.Written);
        Assert.Equal(3, resumed.Skipped);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(kept));
        var after = Files(b);
        foreach (var (name, bytes) in filesA) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} differs after resuming");

        // A different seed gives different images.
        string c = Path.Combine(_root, "c");
        SynthDataset.Write(new SynthOptions(1, 32, 10, c) { GroundTruth = SynthGroundTruth.None });
        Assert.False(File.ReadAllBytes(Path.Combine(c, "image", "000000.png")).AsSpan().SequenceEqual(filesA["image/000000.png"]));
        Assert.False(Directory.Exists(Path.Combine(c, "depth")));
    }

    [Fact]
    public void IndexAndArraysDescribeEveryImage()
    {
        string dir = Path.Combine(_root, "ids");
        SynthDataset.Write(new SynthOptions(6, 32, 4, dir) { PerIdentity = 3, GroundTruth = SynthGroundTruth.Depth });
        var lines = File.ReadAllLines(Path.Combine(dir, "index.csv"));
        Assert.Equal(7, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(3 + FaceParameters.Count + 16, header.Length);
        Assert.Equal("1", lines[4].Split(',')[1]); // image 3 belongs to identity 1

        using var parameters = Npy.Load(Path.Combine(dir, "params.npy"));
        using var identity = Npy.Load(Path.Combine(dir, "identity.npy"));
        using var view = Npy.Load(Path.Combine(dir, "view.npy"));
        using var rawView = Npy.Load(Path.Combine(dir, "raw_view.npy"));
        Assert.Equal(new long[] { 6, FaceParameters.Count }, parameters.shape);
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1 }, identity.data<long>().ToArray());
        // Identity parameters are shared within an identity; pose is not.
        int headWidth = (int)FaceParam.HeadWidth, yaw = (int)FaceParam.Yaw;
        Assert.Equal(parameters[0, headWidth].item<float>(), parameters[2, headWidth].item<float>());
        Assert.NotEqual(parameters[0, headWidth].item<float>(), parameters[3, headWidth].item<float>());
        Assert.NotEqual(parameters[0, yaw].item<float>(), parameters[1, yaw].item<float>());
        Assert.Equal(parameters[0, yaw].item<float>() * Math.PI / 180, view[0, 1].item<float>(), 5);
        Assert.Equal(parameters[0, yaw].item<float>() / 60, rawView[0, 1].item<float>(), 5);

        using var depth = Npy.Load(Path.Combine(dir, "recon_depth", "000005.npy"));
        Assert.Equal(new long[] { 32, 32 }, depth.shape);
        Assert.False(Directory.Exists(Path.Combine(dir, "albedo")));
        using var world = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "world.json")));
        Assert.Equal(FaceParameters.Count, world.RootElement.GetProperty("parameters").GetArrayLength());
        Assert.Equal(10, world.RootElement.GetProperty("renderer").GetProperty("fov_degrees").GetDouble());
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        string Message(SynthOptions o) => Assert.Throws<SyntheticWorldException>(() => SynthDataset.Write(o)).Message;
        Assert.StartsWith("count: 0", Message(new SynthOptions(0, 32, 1, _root)));
        Assert.StartsWith("count: -3", Message(new SynthOptions(-3, 32, 1, _root)));
        Assert.StartsWith("size: 100", Message(new SynthOptions(1, 100, 1, _root)));
        Assert.StartsWith("per identity", Message(new SynthOptions(1, 32, 1, _root) { PerIdentity = 0 }));
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Message(new SynthOptions(1, 32, 1, file)));
        Assert.Contains("cannot write", Message(new SynthOptions(1, 32, 1, Path.Combine(file, "below"))));

        string dir = Path.Combine(_root, "settings");
        SynthDataset.Write(new SynthOptions(1, 32, 1, dir) { GroundTruth = SynthGroundTruth.None });
        Assert.Contains("other settings", Message(new SynthOptions(1, 32, 2, dir) { GroundTruth = SynthGroundTruth.None }));
    }

    [Fact]
    public void CommandLineReportsBadInputAsOneLine()
    {
        var stderr = new StringWriter();
        int code = LiftedGan.Cli.Program.Run(new[] { "synth", "--n", "0", "--out", _root }, new StringWriter(), stderr);
        Assert.Equal(1, code);
        Assert.Equal("liftedgan: error: --n: 0: must be at least 1", stderr.ToString().Trim());

        var stdout = new StringWriter();
        code = LiftedGan.Cli.Program.Run(new[] { "synth", "--n", "2", "--size", "32", "--seed", "3", "--gt", "none", "--out", _root }, stdout, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("wrote 2 images", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(_root, "image", "000001.png")));
    }
}
