using LiftedGan.Data;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Evaluation;
using LiftedGan.Evaluation.Judges;
using LiftedGan.Imaging;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval pose`: an independent head-pose judge (FSA-Net through ONNX Runtime) on images or on a lift's teacher.</summary>
internal static class EvalPoseCommand
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    public static Command Create()
    {
        var judge = new Option<string[]>("--judge")
        {
            Description = "FSA-Net ONNX file(s); several are averaged (models/judges/fsanet-1x1-iter-688590.onnx and fsanet-var-iter-688590.onnx).",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var images = new Option<string?>("--images") { Description = "A folder of face crops (PNG/JPEG, searched recursively): print the judge's angles per image as CSV." };
        var ckpt = new Option<string?>("--ckpt") { Description = "A lift, scored against the judge on its teacher's samples (with --stylegan)." };
        var stylegan = new Option<string?>("--stylegan") { Description = "The lift's teacher StyleGAN2 checkpoint; a world-fit teacher adds the judge's own error against exact truth." };
        var n = new Option<int>("--n") { Description = "Number of teacher samples.", DefaultValueFactory = _ => 200 };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var json = new Option<string?>("--save-json") { Description = "Also write the result as JSON to this file." };
        var summary = new Option<bool>("--summary")
        {
            Description = "With --images: instead of the per-image CSV, the spread of each angle over the folder (mean, std, shares beyond ±15° and ±30°): " +
                          "does a teacher's sample folder turn as much as its training photos?",
        };
        var command = new Command("pose",
            "Head pose by an independent judge (FSA-Net, trained on real photographs, run through ONNX Runtime): per image with --images, " +
            "or a lift's yaw/pitch/roll errors against the judge on its teacher's samples with --ckpt and --stylegan.")
        {
            judge, images, ckpt, stylegan, n, seed, batch, json, summary,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string? folder = parse.GetValue(images), lift = parse.GetValue(ckpt), teacher = parse.GetValue(stylegan);
            if ((folder is null) == (lift is null && teacher is null))
                throw new UsageException("give either --images DIR or --ckpt LIFT --stylegan TEACHER");
            if (folder is null && (lift is null || teacher is null))
                throw new UsageException("--ckpt and --stylegan go together");
            int count = CliValues.Int(parse, n, 2, 1_000_000), b = CliValues.Int(parse, batch, 1, 4096);
            using var fsa = new FsaNetJudge(parse.GetValue(judge)!, Math.Max(1, get_num_threads()));
            if (parse.GetValue(summary) && folder is null) throw new UsageException("--summary goes with --images");
            if (folder is not null) return Folder(stdout, fsa, folder, b, parse.GetValue(summary));
            bool world = StyleGanCheckpoint.ReadObjective(teacher!) == TrainObjective.WorldFit;
            using var model = LiftedCheckpoint.Open(lift!, teacher!);
            var r = PoseJudgeProtocol.ForLiftedGenerator(model, fsa, count, parse.GetValue(seed), b, world);
            Report(stdout, r, world);
            if (parse.GetValue(json) is { } path)
                AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new
                {
                    command = CliValues.CommandLine(parse), r.Samples, r.Seed,
                    judge_spread = new { yaw = r.JudgeSpread.Yaw, pitch = r.JudgeSpread.Pitch, roll = r.JudgeSpread.Roll },
                    judge_published_mae = new { FsaNetJudge.PublishedMae.Yaw, FsaNetJudge.PublishedMae.Pitch, FsaNetJudge.PublishedMae.Roll, source = FsaNetJudge.PublishedMaeSource },
                    comparisons = r.Comparisons,
                }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }));
        return command;
    }

    static int Folder(TextWriter stdout, FsaNetJudge fsa, string folder, int batch, bool summary)
    {
        if (!Directory.Exists(folder)) throw new UsageException($"--images {folder}: folder does not exist");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new UsageException($"--images {folder}: no PNG or JPEG images");
        var inv = CultureInfo.InvariantCulture;
        var angles = new List<double[]>(files.Count);
        if (!summary) stdout.WriteLine("file,yaw,pitch,roll");
        foreach (var chunk in files.Chunk(batch))
        {
            using var scope = NewDisposeScope();
            var x = stack(chunk.Select(f => ImageIO.SquareBytes(ImageIO.Load(f), FsaNetJudge.InputSize)).ToArray()).to(ScalarType.Float32) / 127.5 - 1;
            var rows = PoseJudgeProtocol.Rows(fsa.Predict(x)).ToList();
            for (int i = 0; i < chunk.Length; i++)
            {
                angles.Add(rows[i]);
                if (!summary)
                    stdout.WriteLine(string.Create(inv, $"{Path.GetRelativePath(folder, chunk[i]).Replace('\\', '/')},{rows[i][1]:F2},{rows[i][0]:F2},{rows[i][2]:F2}"));
            }
        }
        if (summary)
        {
            stdout.WriteLine(string.Create(inv, $"{files.Count} images in {folder}; judge FSA-Net (ONNX Runtime), degrees, the project's signs"));
            stdout.WriteLine($"{"angle",-6} {"mean",7} {"std",7} {"beyond ±15°",12} {"beyond ±30°",12}");
            foreach (var (name, k) in new[] { ("yaw", 1), ("pitch", 0), ("roll", 2) })
            {
                var s = AngleSpread.Of(angles.Select(a => a[k]).ToList());
                stdout.WriteLine(string.Create(inv, $"{name,-6} {s.Mean,7:F2} {s.Std,7:F2} {100 * s.Beyond15,10:F1} % {100 * s.Beyond30,10:F1} %"));
            }
            stdout.WriteLine(string.Create(inv,
                $"the judge's own published error: yaw {FsaNetJudge.PublishedMae.Yaw:F2}, pitch {FsaNetJudge.PublishedMae.Pitch:F2}, roll {FsaNetJudge.PublishedMae.Roll:F2} (mean absolute, on real photographs)"));
        }
        return 0;
    }

    static void Report(TextWriter stdout, PoseJudgeResult r, bool world)
    {
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"{r.Samples} teacher samples, seed {r.Seed}, truncation 1; judge FSA-Net (ONNX Runtime), angles in degrees, the project's signs"));
        stdout.WriteLine(string.Create(inv, $"judge's spread over the samples (std): yaw {r.JudgeSpread.Yaw:F2}, pitch {r.JudgeSpread.Pitch:F2}, roll {r.JudgeSpread.Roll:F2}"));
        stdout.WriteLine($"{"method",-22} {"against",-12} {"yaw mean/med/bias",20} {"pitch mean/med/bias",21} {"roll mean/med/bias",20} {"r yaw/pitch/roll",18}");
        static string A(AngleStats a) => string.Create(CultureInfo.InvariantCulture, $"{a.MeanAbs:F2}/{a.MedianAbs:F2}/{a.Bias:+0.00;-0.00;0.00}");
        static string R(double v) => double.IsNaN(v) ? "—" : v.ToString("F2", CultureInfo.InvariantCulture);
        foreach (var c in r.Comparisons)
            stdout.WriteLine($"{c.Method,-22} {c.Reference,-12} {A(c.Yaw),20} {A(c.Pitch),21} {A(c.Roll),20} {R(c.YawCorrelation) + "/" + R(c.PitchCorrelation) + "/" + R(c.RollCorrelation),18}");
        stdout.WriteLine(string.Create(inv,
            $"the judge's own published error: yaw {FsaNetJudge.PublishedMae.Yaw:F2}, pitch {FsaNetJudge.PublishedMae.Pitch:F2}, roll {FsaNetJudge.PublishedMae.Roll:F2} ({FsaNetJudge.PublishedMaeSource}), on real photographs"));
        if (world)
            stdout.WriteLine("world-fit teacher: 'judge against exact truth' is the judge's own error on these procedural faces (not photographs; expect it to be poor)");
    }
}
