using System.CommandLine;
using System.Globalization;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Data;
using Spectre.Console;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan unsup3d train`: the Unsup3d baseline (Wu et al. 2020) on a teacher's samples or an image folder.</summary>
internal static class Unsup3dCommand
{
    public static Command Create() => new("unsup3d", "Unsup3d baseline: a photo-geometric autoencoder (depth, albedo, light, view, confidence) trained on images.")
    {
        Train(),
    };

    static Command Train()
    {
        var stylegan = new Option<string?>("--stylegan") { Description = "Train on this StyleGAN2's samples (truncation 1, stored noise), as eval truth draws them." };
        var data = new Option<string?>("--data") { Description = "Train on an image folder (PNG/JPEG, searched recursively; resized and centre-cropped to --size), or 'faces' (the procedural face world)." };
        var output = new Option<string>("--out") { Description = "Run folder; an existing run resumes from its newest checkpoint with its stored settings.", Required = true };
        var steps = new Option<long>("--steps") { Description = "The step the run ends at.", DefaultValueFactory = _ => Unsup3dConfig.Official.Steps };
        var batch = new Option<int>("--batch") { Description = "Batch size (official 64).", DefaultValueFactory = _ => Unsup3dConfig.Official.BatchSize };
        var size = new Option<int>("--size") { Description = "Image size with --data (a teacher's own size is used with --stylegan).", DefaultValueFactory = _ => 64 };
        var width = new Option<long>("--width")
        {
            Description = "Base channels of the depth, albedo and confidence networks (official 64); the light and view encoders get half.",
            DefaultValueFactory = _ => Unsup3dConfig.Official.Channels,
        };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (official 1e-4).", DefaultValueFactory = _ => Unsup3dConfig.Official.LearningRate };
        var seed = new Option<long>("--seed") { Description = "Run seed (initialisation and every step's batch).", DefaultValueFactory = _ => 1 };
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for the perceptual loss (else a documented substitute)." };
        var ckptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 500 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample grids (RUN/samples, TensorBoard); 0: none.", DefaultValueFactory = _ => 500 };
        var noConfidence = new Option<bool>("--no-confidence")
        {
            Description = "Plain L1 and squared VGG differences instead of the confidence network's weighted likelihoods (Unsup3d's ablation; official: on).",
        };
        var perceptualWeight = new Option<double>("--perceptual-weight")
        {
            Description = "λ_perc, the perceptual term's weight (official 1; 0 switches it off).", DefaultValueFactory = _ => Unsup3dConfig.Official.PerceptualWeight,
        };
        var init = new Option<string?>("--init")
        {
            Description = "Start a new run from an Unsup3d checkpoint (training or packed, e.g. models/unsup3d_world64.pth): its networks, settings, step " +
                          "and training time carry over (only --steps and --lr apply), Adam starts fresh. Ignored when the run folder already holds a checkpoint (it is resumed).",
        };
        var cmd = new Command("train", "Train Unsup3d (resumable, atomic checkpoints RUN/checkpoint_NNNNNNN.pth, RUN/loss.csv, RUN/samples, TensorBoard RUN/tb). " +
                                       "Its checkpoints are scored by eval truth like a lift.")
        {
            stylegan, data, output, steps, batch, size, width, lr, seed, vgg, ckptEvery, sampleEvery, noConfidence, perceptualWeight, init,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string? teacher = parse.GetValue(stylegan), folder = parse.GetValue(data);
            if ((teacher is null) == (folder is null)) throw new UsageException("--stylegan or --data: give exactly one");
            long stepCount = CliValues.Long(parse, steps, 1, long.MaxValue);
            int every = CliValues.Int(parse, ckptEvery, 1, int.MaxValue);
            int imageSize = parse.GetValue(size);
            long channels = parse.GetValue(width);
            if (channels < 4 || channels % 4 != 0) throw new UsageException($"--width {channels}: must be a multiple of 4, at least 4");
            var config = Unsup3dConfig.Official with
            {
                ImageSize = imageSize,
                Channels = channels, EncoderChannels = Math.Max(1, channels / 2), Bottleneck = Math.Max(2, channels * 4),
                BatchSize = CliValues.Int(parse, batch, 1, 4096), Steps = stepCount, Seed = parse.GetValue(seed),
                LearningRate = CliValues.Real("--lr", parse.GetValue(lr), 0, 1, minOpen: true),
                UseConfidence = !parse.GetValue(noConfidence),
                PerceptualWeight = CliValues.Real("--perceptual-weight", parse.GetValue(perceptualWeight), 0, 1000),
            };
            IImageSource Source(int s) => teacher is not null ? TeacherImageSource.Load(teacher)
                : folder == "faces" ? new Synthetic.FaceWorldSource(s)
                : new StyleGan2.ImageFolderSource(folder!, s, flip: false);
            string outDir = parse.GetValue(output)!;
            using var trainer = Unsup3dRun.Open(config, Source, outDir, parse.GetValue(vgg), w => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}"),
                parse.GetValue(init));
            using var model = trainer.Model;
            using var source = trainer.Source as IDisposable;
            using var perceptual = trainer.Perceptual;
            var c = trainer.Config;
            stdout.WriteLine($"unsup3d {c.ImageSize} px, width {c.Channels}, batch {c.BatchSize}, from step {trainer.GlobalStep} to {c.Steps} on {trainer.Source.Describe()} -> {outDir}"
                             + (trainer.InitialisedFrom is { } from ? $" (networks from {from})" : ""));
            TrainingProgress.Run(stdout, "unsup3d", c.Steps, trainer.GlobalStep, report =>
                Unsup3dRun.Run(trainer, outDir, every, parse.GetValue(sampleEvery), p => report(p.Step, string.Create(CultureInfo.InvariantCulture,
                    $"{p.Step}/{p.TotalSteps} {p.StepsPerSecond:F2} it/s total {p.Losses["total"]:F4} l1 {p.Losses["l1"]:F4}"))));
            stdout.WriteLine($"done: step {trainer.GlobalStep}; checkpoint {Unsup3dRun.LatestCheckpoint(outDir)}");
            return 0;
        }));
        return cmd;
    }
}
