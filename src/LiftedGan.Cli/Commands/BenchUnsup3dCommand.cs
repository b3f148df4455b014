using System.CommandLine;
using System.Globalization;
using LiftedGan.Baselines.Unsup3d;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench unsup3d`: an Unsup3d training step and its forward parts.</summary>
internal static class BenchUnsup3dCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed training steps (median).", DefaultValueFactory = _ => 3 };
        var repeats = new Option<int>("--repeats") { Description = "Timed calls per part (median).", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 16 };
        var width = new Option<long>("--width") { Description = "Base channels of the depth, albedo and confidence networks (official 64).", DefaultValueFactory = _ => 64 };
        var cmd = new Command("unsup3d", "Time an Unsup3d training step at 64 px (random weights) and its forward parts.") { steps, repeats, batch, width };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            long channels = parse.GetValue(width);
            if (channels < 4 || channels % 4 != 0) throw new UsageException($"--width {channels}: must be a multiple of 4, at least 4");
            var config = Unsup3dConfig.Official with
            {
                BatchSize = CliValues.Int(parse, batch, 1, 4096), Channels = channels, EncoderChannels = Math.Max(1, channels / 2), Bottleneck = channels * 4,
            };
            var r = Unsup3dBenchmark.Run(config, CliValues.Int(parse, steps, 1, 1000), CliValues.Int(parse, repeats, 1, 1000));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"unsup3d {r.ImageSize} px width {r.Channels} batch {r.Batch} ({torch.get_num_threads()} threads): step {r.StepMilliseconds:F0} ms; " +
                $"forward: decompose {r.DecomposeMilliseconds:F0} ms, render {r.RenderMilliseconds:F0} ms, confidence {r.ConfidenceMilliseconds:F0} ms, " +
                $"VGG16 relu3_3 {r.PerceptualMilliseconds:F0} ms; peak memory {r.PeakWorkingSetBytes / 1e9:F2} GB"));
            return 0;
        }));
        return cmd;
    }
}
