using System.Text.Json;
using LiftedGan.Imaging;
using LiftedGan.Projection;
using LiftedGan.Tests.Data;
using LiftedGan.Tests.Export;
using Xunit;

namespace LiftedGan.Tests.Projection;

/// <summary>`lift-photo` and `eval projection` end to end on the tiny teacher and lift of <see cref="LiftFixture"/>.</summary>
[Collection(LiftFixture.Collection)]
public class LiftPhotoCliTests(LiftFixture fixture)
{
    static string Photo => Path.Combine(LfwPreparationTests.Sample, "Abel_Pacheco", "Abel_Pacheco_0001.jpg");

    [Fact]
    public void Lift_photo_writes_every_promised_file_and_a_report_with_the_baselines()
    {
        var outDir = fixture.NewPath("photo");
        var (code, output, err) = CliRunner.OneThread("lift-photo", Photo, "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint,
            "--out", outDir, "--steps", "4", "--crop", "lfw", "--save-every", "2");
        Assert.True(code == 0, err + output);
        foreach (var f in PhotoLift.OutputFiles) Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing");
        Assert.True(File.Exists(Path.Combine(outDir, "progress", "step_00002.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "progress", "step_00004.png")));
        Assert.Contains("random-feature substitute", output);
        Assert.Contains("mean style G(w_avg)", output);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("perceptualIsSubstitute").GetBoolean());
        var names = root.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal([PhotoLift.Projection, PhotoLift.MeanStyle, PhotoLift.Lifted], names);
        foreach (var e in root.GetProperty("errors").EnumerateArray())
        {
            Assert.True(double.IsFinite(e.GetProperty("l1").GetDouble()) && e.GetProperty("l1").GetDouble() > 0);
            Assert.True(double.IsFinite(e.GetProperty("perceptual").GetDouble()));
        }
        using var input = ImageIO.Load(Path.Combine(outDir, "input.png"));
        Assert.Equal(new long[] { 3, 64, 64 }, input.shape);
        Assert.True(new FileInfo(Path.Combine(outDir, "yaw.gif")).Length > 1000);
        Assert.StartsWith("ply", File.ReadAllText(Path.Combine(outDir, "mesh.ply")));
    }

    [Fact]
    public void Wplus_also_writes_what_the_lift_got_and_reports_both_reconstructions()
    {
        var outDir = fixture.NewPath("photo-wplus");
        var (code, output, err) = CliRunner.OneThread("lift-photo", Photo, "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint,
            "--out", outDir, "--steps", "2", "--space", "wplus", "--pixel-loss", "mse");
        Assert.True(code == 0, err + output);
        Assert.True(File.Exists(Path.Combine(outDir, "lift_style.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "latent_wplus.npy")));
        Assert.Contains("G(W+)", output);
        Assert.Contains("layer-mean w", output);
    }

    [Fact]
    public void A_bad_photo_or_option_is_one_error_line_naming_it()
    {
        var dir = fixture.NewPath("bad");
        Directory.CreateDirectory(dir);
        string garbage = Path.Combine(dir, "broken.jpg");
        File.WriteAllBytes(garbage, [1, 2, 3, 4]);
        var (code, _, err) = CliRunner.OneThread("lift-photo", garbage, "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint, "--out", fixture.NewPath("o"), "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains("PHOTO", err);
        Assert.Contains("broken.jpg", err);
        Assert.DoesNotContain("internal error", err);

        (code, _, err) = CliRunner.OneThread("lift-photo", Path.Combine(dir, "nothing.png"), "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint, "--steps", "1");
        Assert.Equal(1, code);
        Assert.Contains("nothing.png: does not exist", err);

        (code, _, err) = CliRunner.OneThread("lift-photo", Photo, "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint, "--steps", "1", "--space", "z");
        Assert.Equal(1, code);
        Assert.Contains("--space z", err);

        (code, _, err) = CliRunner.OneThread("lift-photo", Photo, "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint, "--steps", "1", "--lr", "0");
        Assert.Equal(1, code);
        Assert.Contains("--lr", err);
    }

    [Fact]
    public void Eval_projection_scores_world_faces_beside_the_constant_answers()
    {
        var json = fixture.NewPath("eval") + ".json";
        var (code, output, err) = CliRunner.OneThread("eval", "projection", "--stylegan", fixture.Teacher, "--ckpt", fixture.Checkpoint,
            "--n", "2", "--steps", "2", "--save-json", json);
        Assert.True(code == 0, err + output);
        foreach (var row in new[] { "lift of the projected w", "lift of the mean style", "mean shape at the true pose", "constant answer", "mean style G(w_avg)" })
            Assert.Contains(row, output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, doc.RootElement.GetProperty("Faces").GetInt32());
    }
}
