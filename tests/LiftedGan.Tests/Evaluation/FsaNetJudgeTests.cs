using LiftedGan.Data;
using LiftedGan.Evaluation;
using LiftedGan.Evaluation.Judges;
using LiftedGan.Imaging;
using LiftedGan.Tests.Data;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

/// <summary>The FSA-Net judge (models/judges, MIT) on the committed LFW sample, and `eval pose`.</summary>
public class FsaNetJudgeTests
{
    static readonly string[] Files = ["fsanet-1x1-iter-688590.onnx", "fsanet-var-iter-688590.onnx"];

    static string[] Onnx()
    {
        var paths = Files.Select(f => Path.Combine(Shared.RepoRoot, "models", "judges", f)).ToArray();
        Skip.IfNot(paths.All(File.Exists), "models/judges/fsanet-*.onnx are absent (see models/judges/PROVENANCE.md to fetch them)");
        return paths;
    }

    /// <summary>The sample's 24 faces, cropped as `data lfw` crops them, at 64 px: (24, 3, 64, 64) in [-1, 1].</summary>
    static Tensor SampleFaces() => stack(Directory.EnumerateFiles(LfwPreparationTests.Sample, "*.jpg", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal).Select(f => LfwPreparation.Crop(ImageIO.Load(f), 64, f).expand(3, -1, -1)).ToArray());

    [SkippableFact]
    public void Angles_are_finite_and_a_mirror_flips_yaw_and_roll()
    {
        using var judge = new FsaNetJudge(Onnx());
        using var scope = NewDisposeScope();
        var x = SampleFaces();
        var a = judge.Predict(x);
        var m = judge.Predict(x.flip(3));
        Assert.Equal(new long[] { 24, 3 }, a.shape);
        Assert.True(a.isfinite().all().item<bool>());
        Assert.True(a.abs().max().item<float>() < 90);
        // (pitch, yaw, roll): a mirror image turns the other way and tilts the other way; it looks up or down as much.
        var rows = PoseJudgeProtocol.Rows(a).ToList();
        var mirrored = PoseJudgeProtocol.Rows(m).ToList();
        double Mean(Func<double[], double[], double> f) => rows.Zip(mirrored, f).Average();
        Assert.True(AngleError.Correlation(rows.Select(r => r[1]).ToList(), mirrored.Select(r => -r[1]).ToList()) > 0.9, "yaw does not flip");
        Assert.True(Mean((p, q) => Math.Abs(p[1] + q[1])) < 3, $"yaw + mirrored yaw {Mean((p, q) => Math.Abs(p[1] + q[1])):F2}");
        Assert.True(Mean((p, q) => Math.Abs(p[2] + q[2])) < 3, $"roll + mirrored roll {Mean((p, q) => Math.Abs(p[2] + q[2])):F2}");
        Assert.True(Mean((p, q) => Math.Abs(p[0] - q[0])) < 3, $"pitch − mirrored pitch {Mean((p, q) => Math.Abs(p[0] - q[0])):F2}");
        // The answer is FSA-Net's own (yaw, pitch, roll) with the project's signs.
        var raw = judge.PredictRaw(x);
        Assert.True(a[.., 1].allclose(raw[.., 0]) && a[.., 0].allclose(-raw[.., 1]) && a[.., 2].allclose(raw[.., 2] * FsaNetJudge.RollSign));
    }

    [SkippableFact]
    public void Size_and_batching_do_not_change_the_answer()
    {
        using var judge = new FsaNetJudge(Onnx());
        using var scope = NewDisposeScope();
        var x = SampleFaces()[..5];
        var whole = judge.Predict(x);
        var one = cat(Enumerable.Range(0, 5).Select(i => judge.Predict(x[i..(i + 1)])).ToArray());
        Assert.True(whole.allclose(one, atol: 1e-3));
    }

    [Fact]
    public void A_missing_or_broken_model_is_a_typed_error_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-fsanet-").FullName;
        try
        {
            string missing = Path.Combine(dir, "none.onnx"), broken = Path.Combine(dir, "broken.onnx");
            File.WriteAllText(broken, "not a model");
            Assert.Equal(missing, Assert.Throws<EvaluationException>(() => new FsaNetJudge([missing])).Subject);
            Assert.Equal(broken, Assert.Throws<EvaluationException>(() => new FsaNetJudge([broken])).Subject);
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void Cli_prints_angles_per_image_and_scores_a_lift()
    {
        var onnx = Onnx();
        var (code, stdout, stderr) = CliRunner.OneThread(["eval", "pose", "--judge", .. onnx, "--images", Path.Combine(LfwPreparationTests.Sample, "Adam_Sandler")]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal("file,yaw,pitch,roll", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Adam_Sandler_0001.jpg,", lines[1]);
        // --summary: the spread of each angle over the folder, which is the per-image CSV's own spread.
        var yaws = lines.Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var summary = CliRunner.OneThread(["eval", "pose", "--judge", .. onnx, "--images", Path.Combine(LfwPreparationTests.Sample, "Adam_Sandler"), "--summary"]);
        Assert.True(summary.Code == 0, summary.Err);
        Assert.DoesNotContain("file,yaw", summary.Out);
        var yawRow = summary.Out.Split('\n').Single(l => l.StartsWith("yaw "));
        Assert.Equal(LiftedGan.Data.AngleSpread.Of(yaws).Std, double.Parse(yawRow.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Contains("published error", summary.Out);

        string lift = Path.Combine(Shared.RepoRoot, "models", "liftedgan_synth64.pth"), teacher = Path.Combine(Shared.RepoRoot, "models", "stylegan2_world64.pt");
        Skip.IfNot(File.Exists(lift) && File.Exists(teacher), "the shipped lift and its world-fit teacher are absent");
        (code, stdout, stderr) = CliRunner.OneThread(["eval", "pose", "--judge", onnx[0], "--ckpt", lift, "--stylegan", teacher, "--n", "2", "--batch", "2"]);
        Assert.True(code == 0, stderr);
        Assert.Contains(PoseJudgeProtocol.Constant, stdout);
        Assert.Contains("exact truth", stdout);
        Assert.Contains("published error", stdout);

        var misplaced = CliRunner.OneThread(["eval", "pose", "--judge", onnx[0], "--ckpt", lift, "--stylegan", teacher, "--summary"]);
        Assert.NotEqual(0, misplaced.Code);
        Assert.Contains("--summary", misplaced.Err);

        var usage = CliRunner.OneThread(["eval", "pose", "--judge", onnx[0]]);
        Assert.NotEqual(0, usage.Code);
        Assert.Contains("--images", usage.Err);
    }
}
