using LiftedGan.Checkpoints;
using LiftedGan.Cli;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class LiftCliTests
{
    static string Teacher(int size, string dir)
    {
        var table = new Dictionary<int, int>();
        for (int r = 4; r <= size; r *= 2) table[r] = 16;
        using var g = new StyleGenerator(new GeneratorConfig { Size = size, StyleDim = 32, MappingLayers = 2, Channels = table }, new torch.Generator(2));
        var path = Path.Combine(dir, $"teacher{size}.pt");
        var root = new PyDict();
        root.Set("g_ema", StateDict.Export(g));
        TorchCheckpoint.Save(path, root);
        return path;
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void LiftTrainsAFewStepsWritesACheckpointAndResumes()
    {
        var dir = Directory.CreateTempSubdirectory("lift-cli").FullName;
        var teacher = Teacher(64, dir);
        var run = Path.Combine(dir, "run");
        var args = new[] { "lift", "--stylegan", teacher, "--out", run, "--epochs", "1", "--epoch-size", "2", "--batch", "2", "--set", "lam_albedo_rank=0" };
        var (code, output, err) = Run(args);
        Assert.True(code == 0, err + output);
        var ckpt = LiftingRun.LatestCheckpoint(run);
        Assert.Equal(Path.Combine(run, "checkpoint_001.pth"), ckpt);
        Assert.True(File.Exists(Path.Combine(run, "samples", "000001.png")));
        Assert.Equal(0, LiftedCheckpoint.ReadConfigBeside(ckpt!)!.AlbedoRankWeight);

        // Two more steps in a second epoch resume from the newest checkpoint.
        var (code2, out2, err2) = Run("lift", "--stylegan", teacher, "--out", run, "--epochs", "2", "--epoch-size", "2", "--batch", "2");
        Assert.True(code2 == 0, err2 + out2);
        Assert.Contains("from step 2", out2);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint_002.pth")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void BadInputsFailBeforeTrainingWithOneLine()
    {
        var dir = Directory.CreateTempSubdirectory("lift-bad").FullName;
        var small = Teacher(32, dir);
        var fileAsRun = Path.Combine(dir, "file");
        File.WriteAllText(fileAsRun, "x");

        var (c1, _, e1) = Run("lift", "--stylegan", small, "--out", Path.Combine(dir, "r1"));
        Assert.Equal(1, c1);
        Assert.Contains("does not fit preset synth_64", e1);

        var (c2, _, e2) = Run("lift", "--stylegan", small, "--out", fileAsRun);
        Assert.Equal(1, c2);
        Assert.Contains("not writable", e2);

        var (c3, _, e3) = Run("lift", "--stylegan", small, "--out", Path.Combine(dir, "r3"), "--vgg", Path.Combine(dir, "missing.pth"));
        Assert.Equal(1, c3);
        Assert.Contains("VGG16 checkpoint not found", e3);

        var (c4, _, e4) = Run("lift", "--stylegan", small, "--out", Path.Combine(dir, "r4"), "--set", "lam_bogus=1");
        Assert.Equal(1, c4);
        Assert.Contains("lam_flip", e4);

        var (c5, _, e5) = Run("lift", "--stylegan", small, "--out", Path.Combine(dir, "r5"), "--preset", "dogs");
        Assert.Equal(1, c5);
        Assert.Contains("ffhq_256", e5);

        // synth_64's truncation is 0.7: the composer in latent space is refused with one line naming the switch.
        var (c6, _, e6) = Run("lift", "--stylegan", small, "--out", Path.Combine(dir, "r6"), "--set", "composer_latent=1");
        Assert.Equal(1, c6);
        Assert.Contains("composer_latent", e6);
        Assert.Contains("truncation 1", e6);
        Directory.Delete(dir, true);
    }
}
