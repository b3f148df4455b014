using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.Imaging;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

public class FidEvaluationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("liftedgan-fid-").FullName;

    public FidEvaluationTests() => TorchRuntime.EnsureLoaded();

    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>Writes <paramref name="count"/> random smooth 32x32 PNGs (seeded) into a new folder.</summary>
    string ImageFolder(string name, int count, long seed, int size = 32)
    {
        var folder = Path.Combine(dir, name);
        Directory.CreateDirectory(folder);
        var g = new torch.Generator((ulong)seed);
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var coarse = rand([1, 3, 4, 4], generator: g) * 2 - 1;
            var image = nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false)[0];
            ImageIO.SavePng(Path.Combine(folder, $"{i:D3}.png"), image);
        }
        return folder;
    }

    static EvalSet RandomSet(int n, double shift, int? resolution, string network, long seed)
    {
        var g = new torch.Generator((ulong)seed);
        var f = randn([n, 16], generator: g) + shift;
        return new EvalSet(FeatureStatistics.FromFeatures(f), f, resolution, network, $"random {seed}");
    }

    [Fact]
    public void IdenticalFoldersGiveZeroAndDifferentFoldersDoNot()
    {
        string a = ImageFolder("a", 2, 1), b = ImageFolder("b", 2, 2);
        var lines = new List<string>();
        using var eval = new FidEvaluation(null, new EvalOptions { Count = 2, Batch = 2, CacheFolder = Path.Combine(dir, "cache") }, lines.Add);
        using var setA = eval.Resolve(a, 0, "a");
        using var setA2 = eval.Resolve(a, 1, "b");
        using var setB = eval.Resolve(b, 1, "b");
        Assert.Contains(lines, l => l.Contains("cached statistics", StringComparison.Ordinal));
        Assert.True(setA.Features!.equal(setA2.Features!).all().item<bool>(), "the cached features differ from the measured ones");
        var same = eval.Compare(setA, setA2);
        double scale = setA.Statistics.Covariance.trace().item<double>();
        Assert.True(scale > 0);
        // Two samples in 2048-d: the eigen-solver's round-off on ~2046 zero eigenvalues leaves ~1e-6 of the trace.
        Assert.True(Math.Abs(same.Fid) < 1e-5 * scale, $"FID of a set with itself: {same.Fid} (trace {scale})");
        var different = eval.Compare(setA, setB);
        Assert.True(different.Fid > 1e-3 * scale, $"FID of different sets: {different.Fid} (trace {scale})");
        Assert.Equal("FID(hashed-inception)", different.FidLabel);
        Assert.Equal("KID(hashed-inception)", different.KidLabel);
        Assert.NotNull(different.KidMean);
        Assert.Contains(different.Warnings, w => w.Contains("a has 2 samples, fewer than 2048", StringComparison.Ordinal));
    }

    [Fact]
    public void ShiftedFeaturesGiveTheGaussianDistanceAndWarnings()
    {
        using var a = RandomSet(10, 0, 64, "hashed-inception-v1", 1);
        using var b = RandomSet(4000, 1, 256, "hashed-inception-v1", 2);
        using var eval = new FidEvaluation(null, new EvalOptions());
        var r = eval.Compare(a, b);
        Assert.Contains(r.Warnings, w => w.Contains("a has 10 samples", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Warnings, w => w.Contains("b has", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.Contains("a (random 1) is 64 px, b (random 2) is 256 px", StringComparison.Ordinal));
        Assert.True(r.Fid > 16 * 0.8, $"FID {r.Fid}: the mean shift alone contributes 16");
    }

    [Fact]
    public void StatisticsFilesRoundTripAndOfficialStatisticsNeedTheFidWeights()
    {
        using var a = RandomSet(50, 0, 32, "hashed-inception-v1", 3);
        string ours = Path.Combine(dir, "ours.safetensors");
        StatisticsCache.Save(ours, a);
        using var back = StatisticsCache.Load(ours);
        Assert.Equal(50, back.Count);
        Assert.Equal(32, back.Resolution);
        Assert.Equal("hashed-inception-v1", back.Network);
        Assert.True(back.Statistics.Covariance.allclose(a.Statistics.Covariance));

        // The official pickle's content: {'mean', 'cov', 'size', 'path'} (no features, no network).
        string pkl = Path.Combine(dir, "inception_ffhq_cropped_256.pkl");
        var official = new PyDict { ["mean"] = a.Statistics.Mean, ["cov"] = a.Statistics.Covariance, ["size"] = 256L, ["path"] = "ffhq" };
        TorchCheckpoint.Save(pkl, official);
        using var stats = StatisticsCache.Load(pkl);
        Assert.Equal(256, stats.Resolution);
        Assert.Null(stats.Features);
        Assert.Equal(StatisticsCache.OfficialNetwork, stats.Network);
        using var eval = new FidEvaluation(null, new EvalOptions());
        var e = Assert.Throws<EvaluationException>(() => eval.Compare(back, stats));
        Assert.Contains("pt_inception-2015-12-05-6726825d.pth", e.Message);
    }

    [Fact]
    public void BadInputsAreReportedByName()
    {
        var missing = Path.Combine(dir, "pt_inception-2015-12-05-6726825d.pth");
        var e1 = Assert.Throws<EvaluationException>(() => new FidEvaluation(missing, new EvalOptions()));
        Assert.Contains(missing, e1.Message);
        var empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        var e2 = Assert.Throws<EvaluationException>(() => new FolderEvalSource(empty));
        Assert.Contains("no PNG or JPEG", e2.Message);
        using var eval = new FidEvaluation(null, new EvalOptions());
        Assert.Throws<EvaluationException>(() => eval.Resolve("synth:abc", 0, "a"));
        Assert.Throws<EvaluationException>(() => eval.Resolve("stats:" + Path.Combine(dir, "none.pkl"), 0, "a"));
        Assert.Throws<EvaluationException>(() => eval.Resolve(Path.Combine(dir, "nowhere"), 0, "a"));
    }

    [Fact]
    public void FolderSourcesReadTheManifestOrAGlobNotEveryPicture()
    {
        var folder = Path.Combine(dir, "generated");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        using (var img = torch.zeros(3, 8, 8))
            foreach (var name in new[] { "00001.png", "00002.png", "00001_depth.png", "sheets.png", "sub/00003.png" })
                ImageIO.SavePng(Path.Combine(folder, name), img);
        Assert.Equal(5, new FolderEvalSource(folder).Available);
        Assert.Contains("by all images", new FolderEvalSource(folder).Describe());
        Assert.Equal(3, new FolderEvalSource(folder, "**/?????.png").Available);
        Assert.Equal(2, new FolderEvalSource(folder, "?????.png").Available);
        Assert.Contains("no PNG or JPEG image matches the glob *.jpg", Assert.Throws<EvaluationException>(() => new FolderEvalSource(folder, "*.jpg")).Message);

        File.WriteAllText(Path.Combine(folder, FolderEvalSource.ManifestName), "# renders\n00001.png\n00002.png\n");
        var listed = new FolderEvalSource(folder);
        Assert.Equal(2, listed.Available);
        Assert.Contains("2 files by manifest.txt", listed.Describe());
        File.WriteAllText(Path.Combine(folder, FolderEvalSource.ManifestName), "00004.png\n");
        Assert.Contains("'00004.png'", Assert.Throws<EvaluationException>(() => new FolderEvalSource(folder)).Message);
        File.WriteAllText(Path.Combine(folder, FolderEvalSource.ManifestName), "../a.png\n");
        Assert.Contains("outside the folder", Assert.Throws<EvaluationException>(() => new FolderEvalSource(folder)).Message);
    }

    [Fact]
    public void CliComparesStatisticsFilesWithLabels()
    {
        using var a = RandomSet(30, 0, 64, "hashed-inception-v1", 4);
        using var b = RandomSet(30, 0.5, 64, "hashed-inception-v1", 5);
        string pa = Path.Combine(dir, "a.safetensors"), pb = Path.Combine(dir, "b.safetensors");
        StatisticsCache.Save(pa, a);
        StatisticsCache.Save(pb, b);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = LiftedGan.Cli.Program.Run(["eval", "fid", "--a", $"stats:{pa}", "--b", $"stats:{pb}", "--no-cache"], stdout, stderr);
        Assert.True(rc == 0, stderr.ToString());
        var text = stdout.ToString();
        Assert.Contains("FID(hashed-inception): ", text);
        Assert.Contains("warning: a has 30 samples", text);
        Assert.DoesNotContain("\nFID: ", text);
        rc = LiftedGan.Cli.Program.Run(["eval", "fid", "--a", Path.Combine(dir, "nowhere"), "--b", $"stats:{pb}"], new StringWriter(), stderr);
        Assert.Equal(1, rc);
        Assert.Contains("liftedgan: error:", stderr.ToString());
    }

    [Fact]
    public void BenchEvalReportsImagesPerSecond()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = LiftedGan.Cli.Program.Run(["bench", "eval", "--batches", "1", "--iterations", "1", "--size", "32"], stdout, stderr);
        Assert.True(rc == 0, stderr.ToString());
        Assert.Matches(@"inception 32->299 B=1 +[0-9.]+ +- +[0-9.]+ images/s", stdout.ToString());
    }
}

public class EvalSourceTests
{
    public EvalSourceTests() => TorchRuntime.EnsureLoaded();

    [SkippableFact]
    public void StyleGanSourceSamplesClampedImagesReproducibly()
    {
        using var source = new StyleGanEvalSource(Shared.Fixture("stylegan2/g_small_legacy.pt"));
        using var x = source.Next(2, new torch.Generator(7));
        using var y = source.Next(2, new torch.Generator(7));
        Assert.Equal(new long[] { 2, 3, source.Resolution!.Value, source.Resolution!.Value }, x.shape);
        Assert.True(x.min().item<float>() >= -1 && x.max().item<float>() <= 1);
        Assert.True(x.equal(y).all().item<bool>());
        Assert.True(x.std().item<float>() > 1e-3);
        Assert.Contains("sha256", source.Describe());
        Assert.True(source.IsRandom);
    }

    [Fact]
    public void SynthSourceGivesImagesOfItsSize()
    {
        var source = FidEvaluation.Source("synth:32");
        using var x = source.Next(2, new torch.Generator(3));
        Assert.Equal(new long[] { 2, 3, 32, 32 }, x.shape);
        Assert.True(x.min().item<float>() >= -1 && x.max().item<float>() <= 1);
        Assert.Throws<EvaluationException>(() => FidEvaluation.Source("synth:33"));
    }
}
