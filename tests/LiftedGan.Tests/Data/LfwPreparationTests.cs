using LiftedGan.Data;
using LiftedGan.Imaging;
using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Data;

/// <summary>`data lfw` on the committed sample (tests/LiftedGan.Tests/Data/lfw-sample: 24 LFW images of 8 people).</summary>
public class LfwPreparationTests
{
    internal static string Sample => Path.Combine(Shared.RepoRoot, "tests", "LiftedGan.Tests", "Data", "lfw-sample");

    static string Temp(string name) => Directory.CreateTempSubdirectory($"liftedgan-lfw-{name}-").FullName;

    [Fact]
    public void Sample_prepares_to_grey_64px_pngs_split_by_identity()
    {
        var dir = Temp("prep");
        try
        {
            var r = LfwPreparation.Prepare(Sample, 64, dir, heldOutFraction: 0.25, seed: 3);
            Assert.Equal(24, r.Entries.Count);
            Assert.Equal(2, r.HeldOutIdentities.Count);
            Assert.Equal(6, r.TrainIdentities.Count);
            Assert.Empty(r.TrainIdentities.Intersect(r.HeldOutIdentities));
            foreach (var e in r.Entries)
            {
                string path = Path.Combine(dir, e.File);
                Assert.StartsWith($"{e.Split}/{e.Identity}/", e.File);
                using var image = ImageIO.Load(path);
                Assert.Equal(new long[] { 3, 64, 64 }, image.shape);
                Assert.True(image[0].eq(image[2]).all().item<bool>(), $"{path}: not grey");
            }
            var csv = File.ReadAllLines(Path.Combine(dir, LfwPreparation.ManifestName));
            Assert.Equal("split,identity,file,source", csv[0]);
            Assert.Equal(25, csv.Length);
            var splitsPerIdentity = csv.Skip(1).Select(l => l.Split(',')).GroupBy(f => f[1]).Select(g => g.Select(f => f[0]).Distinct().Count());
            Assert.All(splitsPerIdentity, c => Assert.Equal(1, c));
            // The StyleGAN2 trainer's folder source reads the training split as RGB (grey becomes three equal channels).
            using var trainer = new ImageFolderSource(Path.Combine(dir, LfwPreparation.TrainSplit), 64);
            Assert.Equal(18, trainer.Files.Count);
            using var g = new Generator(1);
            using var batch = trainer.Next(2, g);
            Assert.Equal(new long[] { 2, 3, 64, 64 }, batch.shape);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Same_seed_gives_identical_output_and_the_seed_changes_the_split()
    {
        string a = Temp("a"), b = Temp("b");
        try
        {
            LfwPreparation.Prepare(Sample, 64, a, 0.25, seed: 5);
            LfwPreparation.Prepare(Sample, 64, b, 0.25, seed: 5);
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, LfwPreparation.ManifestName)), File.ReadAllBytes(Path.Combine(b, LfwPreparation.ManifestName)));
            foreach (var f in Directory.EnumerateFiles(a, "*.png", SearchOption.AllDirectories))
                Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, f))));
            var ids = Directory.EnumerateDirectories(Sample).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
            var splits = Enumerable.Range(1, 6).Select(s => string.Join(",", LfwPreparation.HeldOutIdentities(ids, 0.25, s).Order(StringComparer.Ordinal))).Distinct().Count();
            Assert.True(splits > 1, "six seeds all held out the same identities");
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }

    [Fact]
    public void Crop_at_128_keeps_the_centred_box()
    {
        using var scope = NewDisposeScope();
        var image = ImageIO.Load(Directory.EnumerateFiles(Sample, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First());
        var crop = LfwPreparation.Crop(image, 128);
        Assert.Equal(new long[] { 1, 128, 128 }, crop.shape);
        // A constant image stays constant; an RGB image stays RGB.
        var colour = stack([ones(250, 250) * 0.5, zeros(250, 250), ones(250, 250) * -0.5]);
        Assert.Equal(new long[] { 3, 64, 64 }, LfwPreparation.Crop(colour, 64).shape);
    }

    [Fact]
    public void Bad_input_is_a_typed_error_naming_the_file()
    {
        var src = Temp("bad");
        var output = Temp("bad-out");
        try
        {
            Directory.CreateDirectory(Path.Combine(src, "Some_One"));
            string broken = Path.Combine(src, "Some_One", "Some_One_0001.jpg");
            File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
            var e = Assert.Throws<ImageFormatException>(() => LfwPreparation.Prepare(src, 64, output));
            Assert.Contains(broken, e.Message);

            var wrongSize = Assert.Throws<DataPreparationException>(() => LfwPreparation.Crop(zeros(3, 100, 120), 64, "small.jpg"));
            Assert.Equal("small.jpg", wrongSize.Subject);
            Assert.Contains("250 x 250", wrongSize.Message);

            Assert.Equal("size", Assert.Throws<DataPreparationException>(() => LfwPreparation.Prepare(Sample, 96, output)).Subject);
            Assert.Throws<DataPreparationException>(() => LfwPreparation.Prepare(Path.Combine(src, "missing"), 64, output));
            var empty = Temp("empty");
            try { Assert.Contains("no identity folders", Assert.Throws<DataPreparationException>(() => LfwPreparation.Prepare(empty, 64, output)).Message); }
            finally { Directory.Delete(empty, true); }
        }
        finally
        {
            Directory.Delete(src, true);
            Directory.Delete(output, true);
        }
    }

    [Fact]
    public void Cli_prepares_the_sample_and_maps_errors_to_flags()
    {
        var dir = Temp("cli");
        try
        {
            var (code, stdout, stderr) = CliRunner.OneThread("data", "lfw", "--src", Sample, "--size", "64", "--out", dir, "--held-out-fraction", "0.25");
            Assert.True(code == 0, stderr);
            Assert.Contains("18 training images of 6 identities, 6 held-out images of 2 identities", stdout);
            Assert.True(File.Exists(Path.Combine(dir, LfwPreparation.ManifestName)));
            var bad = CliRunner.OneThread("data", "lfw", "--src", Sample, "--size", "96", "--out", dir);
            Assert.NotEqual(0, bad.Code);
            Assert.Contains("--size", bad.Err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
