using System.Globalization;
using LiftedGan.Checkpoints;
using LiftedGan.Cli;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Evaluation;

/// <summary>Runs beside other tests: every draw of a lift (initialisation included) comes from its own seeded generator.</summary>
public class AblationStudyTests
{
    /// <summary>A test-only preset: synth_64 shrunk to 32 px and narrow networks, 2 steps of batch 2.</summary>
    static readonly LiftingConfig Tiny = LiftingConfig.Synth64 with
    {
        Preset = "tiny_32", ImageSize = 32, StyleDim = 32, MlpHidden = 32, DepthSeedDim = 32, DecoderBaseChannels = 4, PerceptualScales = 1,
        StatisticsSamples = 256, BatchSize = 2, Epochs = 1, StepsPerEpoch = 2, Seed = 3,
    };

    static string Teacher(string dir)
    {
        var table = new Dictionary<int, int>();
        for (int r = 4; r <= 32; r *= 2) table[r] = 8;
        using var g = new StyleGenerator(new GeneratorConfig { Size = 32, StyleDim = 32, MappingLayers = 2, Channels = table }, new torch.Generator(2));
        var path = Path.Combine(dir, "teacher.pt");
        var root = new PyDict();
        root.Set("g_ema", StateDict.Export(g));
        TorchCheckpoint.Save(path, root);
        return path;
    }

    static (int Code, string Out) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o + e.ToString());
    }

    [Fact]
    public void FiveRunsShareSeedsAreNotRetrainedAndReportFiniteNumbers()
    {
        var dir = Directory.CreateTempSubdirectory("ablations").FullName;
        var teacher = Teacher(dir);
        var estimator = Path.Combine(dir, "est.pt");
        using (var net = PoseDepthTraining.Train(new PoseDepthTrainingOptions { Size = 32, Width = 4, Steps = 2, Batch = 2 }))
            PoseDepthTraining.Save(estimator, net);
        var study = Path.Combine(dir, "study");
        var log = new List<string>();
        var runs = AblationStudy.Train(Tiny, c => c, new LiftingInputs(teacher, study), study, 0, log.Add);
        Assert.Equal(5, runs.Count);
        Assert.Equal(5, runs.Select(r => r.Checkpoint).Distinct().Count());

        // The CLI on the finished runs (their stored config wins over --preset): evaluates and reports, trains nothing.
        var stamp = File.GetLastWriteTimeUtc(runs[0].Checkpoint);
        var args = new[]
        {
            "eval", "ablations", "--stylegan", teacher, "--preset", "synth_64", "--steps", "2", "--batch", "2", "--seed", "3", "--out", study,
            "--estimator", estimator, "--n-rec", "2", "--n-table2", "2", "--ds-groups", "2", "--ds-per-group", "2", "--ds-reference", "4", "--fid-n", "0",
        };
        var (code, output) = Run(args);
        Assert.True(code == 0, output);
        Assert.Equal(5, output.Split('\n').Count(l => l.Contains("not retrained")));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(runs[0].Checkpoint));

        // Five runs, identical settings apart from the removed weights.
        var configs = AblationStudy.Variants.ToDictionary(v => v.Name, v => LiftedCheckpoint.ReadConfigBeside(LiftingRun.LatestCheckpoint(Path.Combine(study, v.Name))!)!);
        Assert.Equal(5, configs.Count);
        Assert.All(configs.Values, c => Assert.Equal(3, c.Seed));
        Assert.Equal(configs["full"] with { FlipWeight = 0 }, configs["wo_flip"]);
        Assert.Equal(configs["full"] with { PerturbImageWeight = 0, PerturbParameterWeight = 0, StylePriorWeight = 0 }, configs["wo_perturb"]);
        Assert.Equal(configs["full"] with { AlbedoRankWeight = 0 }, configs["wo_rega"]);
        Assert.Equal(0, configs["wo_idt"].IdentityWeight);

        // Same initialisation and the same first batch: the step-1 reconstruction loss (computed before any update) is
        // identical wherever the reconstruction term itself is unchanged, and differs without the flip term.
        double Rec(string name) => TensorBoardScalars.Read(Path.Combine(study, name, "tb"))["loss/reconstruction"].Single(p => p.Step == 1).Value;
        Assert.Equal(Rec("full"), Rec("wo_perturb"));
        Assert.Equal(Rec("full"), Rec("wo_idt"));
        Assert.Equal(Rec("full"), Rec("wo_rega"));
        Assert.NotEqual(Rec("full"), Rec("wo_flip"));

        var csv = File.ReadAllLines(Path.Combine(study, "report.csv"));
        Assert.Equal(6, csv.Length);
        var header = csv[0].Split(',');
        foreach (var line in csv.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal("2", cells[1]);
            foreach (var column in new[] { "reconstruction_l1", "reconstruction_perceptual", "depth", "yaw", "pitch", "roll", "ds_yaw", "ds_pitch", "ds_light" })
            {
                var cell = cells[Array.IndexOf(header, column)];
                Assert.True(cell == "inf" || double.IsFinite(double.Parse(cell, CultureInfo.InvariantCulture)), $"{column}: '{cell}'");
            }
        }
        var md = File.ReadAllText(Path.Combine(study, "report.md"));
        Assert.Contains("LiftedGAN w/o L_flip", md);
        Assert.Contains("wo_idt` trains the same model", md);
        Assert.True(File.Exists(Path.Combine(study, "plots", "reconstruction_l1.png")));

        // The results report of the full model embeds the ablation table and labels the substitute FID network.
        var results = Path.Combine(dir, "docs", "results.md");
        var (code3, output3) = Run("eval", "report", "--lift", LiftingRun.LatestCheckpoint(Path.Combine(study, "full"))!, "--stylegan", teacher,
            "--estimator", estimator, "--ablations", study, "--out", results, "--n-rec", "2", "--n-table2", "2", "--ds-groups", "2", "--ds-per-group", "2",
            "--ds-reference", "4", "--fid-n", "3", "--estimator-held-out", "4");
        Assert.True(code3 == 0, output3);
        var report = File.ReadAllText(results);
        Assert.Contains("liftedgan eval report --lift", report);
        Assert.Contains("FID(hashed-inception)", report);
        Assert.Contains("not** comparable to published FIDs", report);
        Assert.Contains("noise floor", report);
        Assert.Contains("## Ablations", report);
        Assert.Contains("LiftedGAN w/o L_regA", report);
        Assert.Contains("(`../study/plots/COLUMN.png`", report);
        Assert.Contains("DiscoFaceGAN Eq. 9", report);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MissingInputsGiveOneLineErrors()
    {
        var dir = Directory.CreateTempSubdirectory("ablations-bad").FullName;
        var (code, output) = Run("eval", "report", "--lift", Path.Combine(dir, "none.pth"), "--stylegan", Path.Combine(dir, "t.pt"), "--out", Path.Combine(dir, "r.md"), "--fid-n", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("none.pth", output);
        var (code2, output2) = Run("eval", "ds", "--ckpt", Path.Combine(dir, "none.pth"), "--stylegan", Path.Combine(dir, "t.pt"), "--estimator", Path.Combine(dir, "est.pt"));
        Assert.NotEqual(0, code2);
        Assert.Contains("est.pt: estimator checkpoint not found", output2);
        Directory.Delete(dir, true);
    }
}
