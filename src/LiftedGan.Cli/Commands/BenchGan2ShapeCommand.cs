using System.CommandLine;
using System.Globalization;
using LiftedGan.Baselines.Gan2Shape;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench gan2shape`: one iteration of each GAN2Shape step and the fit time they predict.</summary>
internal static class BenchGan2ShapeCommand
{
    public static Command Create()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher (64 px) whose sample is fitted.", DefaultValueFactory = _ => "models/stylegan2_world64.pt" };
        var preset = Gan2ShapeCommand.PresetOption();
        var repeats = new Option<int>("--repeats") { Description = "Timed iterations per step (median).", DefaultValueFactory = _ => 3 };
        var whole = new Option<bool>("--whole-fit") { Description = "Also time a whole fit of the preset's schedule beside the prediction." };
        var cmd = new Command("gan2shape", "Time one iteration of each GAN2Shape step (prior, 1, 2, collect, 3) on a teacher sample and the fit time they predict for the preset.")
        {
            stylegan, preset, repeats, whole,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var config = Gan2ShapeCommand.Preset(parse.GetValue(preset)!, 1);
            using var teacher = Gan2ShapeCommand.LoadTeacher(parse.GetValue(stylegan)!, config.ImageSize);
            var r = Gan2ShapeBenchmark.Run(config, teacher, CliValues.Int(parse, repeats, 1, 1000), parse.GetValue(whole));
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv,
                $"gan2shape {parse.GetValue(preset)} preset, batch {r.Batch} ({torch.get_num_threads()} threads): prior {r.PriorMilliseconds:F0} ms, step 1 {r.Step1Milliseconds:F0} ms, " +
                $"step 2 {r.Step2Milliseconds:F0} ms, collect {r.CollectMilliseconds:F0} ms, step 3 {r.Step3Milliseconds:F0} ms per iteration; " +
                $"predicted fit {r.PredictedFitSeconds:F0} s") +
                (r.MeasuredFitSeconds is { } m ? string.Create(inv, $", measured {m:F0} s (ratio {m / r.PredictedFitSeconds:F2})") : "") +
                string.Create(inv, $"; peak memory {r.PeakWorkingSetBytes / 1e9:F2} GB"));
            return 0;
        }));
        return cmd;
    }
}
