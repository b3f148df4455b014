using System.CommandLine;
using System.Globalization;
using LiftedGan.Data;
using LiftedGan.StyleGan2;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan stylegan train`: StyleGAN2 training on an image folder or the procedural shapes ("synth").</summary>
internal static class StyleGanTrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Image folder (PNG/JPEG, searched recursively), 'faces' (the procedural face world, streamed) or 'synth' (procedural shapes); not used by --objective world-fit." };
        var objective = new Option<string>("--objective")
        {
            Description = "adversarial (official StyleGAN2 game on --data) or world-fit (regression onto the face world's render of a fixed map of z, " +
                          "so that samples at truncation 1 have exact 3D truth; see docs/synthetic-world.md).",
            DefaultValueFactory = _ => "adversarial",
        };
        var size = new Option<int>("--size") { Description = "Resolution (power of two, 8-1024).", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = "Run folder (checkpoint/, sample/, tb/); an existing run resumes.", Required = true };
        var iters = new Option<long>("--steps") { Description = "The step the run ends at (a resumed run continues to it).", DefaultValueFactory = _ => 10000 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Run seed (weights and every step's randomness).", DefaultValueFactory = _ => 1 };
        var styleDim = new Option<int>("--style-dim") { Description = "Style (z and w) size.", DefaultValueFactory = _ => 512 };
        var nMlp = new Option<int>("--n-mlp") { Description = "Mapping network depth.", DefaultValueFactory = _ => 8 };
        var channels = new Option<string?>("--channels") { Description = "Generator channel table, e.g. 4:256,8:256,16:128 (default: the paper's table, then 16)." };
        var dChannels = new Option<string?>("--d-channels") { Description = "Discriminator channel table (default: the generator's)." };
        var lr = new Option<double>("--lr") { Description = "Learning rate (given with a resumed run: replaces the stored rate from then on).", DefaultValueFactory = _ => 0.002 };
        var beta1 = new Option<double>("--beta1") { Description = "Adam β1 (official 0).", DefaultValueFactory = _ => 0 };
        var lrMlp = new Option<double>("--lr-mlp") { Description = "Learning-rate multiplier of the mapping network (official 0.01).", DefaultValueFactory = _ => 0.01 };
        var r1 = new Option<double>("--r1") { Description = "R1 weight.", DefaultValueFactory = _ => 10 };
        var pathReg = new Option<double>("--path-regularize") { Description = "Path-length weight.", DefaultValueFactory = _ => 2 };
        var mixing = new Option<double>("--mixing") { Description = "Style-mixing probability.", DefaultValueFactory = _ => 0.9 };
        var ema = new Option<double>("--ema-decay") { Description = "g_ema decay per step.", DefaultValueFactory = _ => Math.Pow(0.5, 32.0 / 10000) };
        var augment = new Option<bool>("--augment") { Description = "DiffAugment (color,translation,cutout) on every D input." };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample grids (0: none).", DefaultValueFactory = _ => 500 };
        var ckptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints (0: only at the end).", DefaultValueFactory = _ => 2000 };
        var resume = new Option<string?>("--resume") { Description = "Checkpoint to resume from (default: the run's latest)." };
        var sampleWeights = new Option<string?>("--sample-weights")
        {
            Description = "Draw an image folder's images in proportion to per-image weights (CSV file,weight, files relative to --data; data balance makes one from a pose judge's angles).",
        };
        var cmd = new Command("train", "Train a StyleGAN2 (official checkpoint layout, exact resume).")
        {
            data, objective, size, output, iters, batch, seed, styleDim, nMlp, channels, dChannels, lr, beta1, lrMlp, r1, pathReg, mixing, ema, augment,
            sampleEvery, ckptEvery, resume, sampleWeights,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            CliValues.Long(parse, iters, 1, 1_000_000_000);
            CliValues.Int(parse, batch, 1, 4096);
            CliValues.Int(parse, sampleEvery, 0, int.MaxValue);
            CliValues.Int(parse, ckptEvery, 0, int.MaxValue);
            CliValues.Real("--lr", parse.GetValue(lr), 0, 10, minOpen: true);
            CliValues.Real("--r1", parse.GetValue(r1), 0, 1e6);
            CliValues.Real("--path-regularize", parse.GetValue(pathReg), 0, 1e6);
            CliValues.Real("--mixing", parse.GetValue(mixing), 0, 1);
            CliValues.Real("--ema-decay", parse.GetValue(ema), 0, 1);
            int s = parse.GetValue(size);
            var gTable = ParseTable(parse.GetValue(channels), "--channels") ?? DefaultTable(s);
            var dTable = ParseTable(parse.GetValue(dChannels), "--d-channels") ?? gTable;
            var options = new TrainOptions
            {
                Generator = new GeneratorConfig { Size = s, StyleDim = parse.GetValue(styleDim), MappingLayers = parse.GetValue(nMlp), Channels = gTable, LrMlp = parse.GetValue(lrMlp) },
                Discriminator = new DiscriminatorConfig { Size = s, Channels = dTable },
                Batch = parse.GetValue(batch), Lr = parse.GetValue(lr), Beta1 = parse.GetValue(beta1), R1 = parse.GetValue(r1),
                PathRegularize = parse.GetValue(pathReg), Mixing = parse.GetValue(mixing), EmaDecay = parse.GetValue(ema),
                Augment = parse.GetValue(augment), Seed = parse.GetValue(seed),
                Objective = parse.GetValue(objective) switch
                {
                    "adversarial" => TrainObjective.Adversarial,
                    "world-fit" => TrainObjective.WorldFit,
                    var other => throw new UsageException($"--objective '{other}': expected adversarial or world-fit"),
                },
            };
            string? dataArg = parse.GetValue(data);
            // A resumed run keeps its stored options (objective and size included), so decide by those.
            string? resumeFrom = parse.GetValue(resume) ?? StyleGanTrainingRun.LatestCheckpoint(parse.GetValue(output)!);
            var effective = resumeFrom is null ? options : StyleGanCheckpoint.ReadOptions(resumeFrom);
            if (dataArg is null && effective.Objective == TrainObjective.Adversarial)
                throw new UsageException("--data is required for the adversarial objective");
            string? weightsPath = parse.GetValue(sampleWeights);
            if (weightsPath is not null && (dataArg is null or "synth" or "faces"))
                throw new UsageException("--sample-weights needs --data to be an image folder");
            IImageSource source = dataArg switch
            {
                null => new LiftedGan.Synthetic.FaceWorldSource(effective.Generator.Size),
                "synth" => new ShapesSource(s),
                "faces" => new LiftedGan.Synthetic.FaceWorldSource(s),
                _ => new ImageFolderSource(dataArg, s, weights: weightsPath is null ? null : SampleWeights.Read(weightsPath), weightsName: weightsPath),
            };
            if (source is ImageFolderSource { WeightsName: not null } weighted) stdout.WriteLine($"real images drawn by the weights in {weighted.WeightsName}");
            try
            {
                string outDir = parse.GetValue(output)!;
                // On resume the stored options win, except a learning rate given explicitly (a schedule change).
                double? resumeLr = resumeFrom is not null && parse.GetResult(lr) is { Implicit: false } ? parse.GetValue(lr) : null;
                using var trainer = StyleGanTrainingRun.Open(options, source, outDir, parse.GetValue(resume), resumeLr);
                var settings = new RunSettings(outDir, parse.GetValue(iters), parse.GetValue(sampleEvery), parse.GetValue(ckptEvery));
                stdout.WriteLine($"training {trainer.Options.Generator.Size} px from step {trainer.Iteration} to {settings.Iterations} -> {outDir}");
                if (resumeLr is { } newLr && newLr != effective.Lr)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"learning rate {effective.Lr} -> {newLr} from step {trainer.Iteration}"));
                if (trainer.OptimizerRestarted) stdout.WriteLine("resumed from a resumable pack: Adam's moments start afresh");
                RunWithProgress(stdout, trainer, settings);
                stdout.WriteLine($"done: step {trainer.Iteration}; checkpoint {StyleGanTrainingRun.LatestCheckpoint(outDir)}");
            }
            finally { (source as IDisposable)?.Dispose(); }
            return 0;
        }));
        return cmd;
    }

    static void RunWithProgress(TextWriter output, StyleGanTrainer trainer, RunSettings settings) =>
        TrainingProgress.Run(output, "stylegan", settings.Iterations, trainer.Iteration, report =>
            StyleGanTrainingRun.Run(trainer, settings, p => report(p.Iteration, string.Create(CultureInfo.InvariantCulture,
                $"{p.Iteration}/{p.Iterations} {p.StepsPerSecond:F2} it/s d {p.Step.DLoss:F3} g {p.Step.GLoss:F3} r1 {p.Step.R1:F3} path {p.Step.PathLoss:F3}"))));

    /// <summary>The paper's table where it has an entry, 16 channels above 256 px.</summary>
    static Dictionary<int, int> DefaultTable(int size)
    {
        var t = new Dictionary<int, int>();
        for (int r = 4; r <= Math.Max(size, 4); r *= 2) t[r] = GeneratorConfig.PaperChannels.TryGetValue(r, out var c) ? c : 16;
        return t;
    }

    static Dictionary<int, int>? ParseTable(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = new Dictionary<int, int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(':');
            if (kv.Length != 2 || !int.TryParse(kv[0], CultureInfo.InvariantCulture, out var r) || !int.TryParse(kv[1], CultureInfo.InvariantCulture, out var c))
                throw new UsageException($"{option} '{part}': expected resolution:channels, e.g. 4:256");
            t[r] = c;
        }
        return t;
    }
}
