using System.CommandLine;
using LiftedGan.Synthetic;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench synth`: images per second of the synthetic face world.</summary>
internal static class BenchSynthCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Images per measurement.", DefaultValueFactory = _ => 64 };
        var sizes = new Option<int[]>("--sizes") { Description = "Image sizes to measure.", DefaultValueFactory = _ => new[] { 64, 128 }, AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int>("--batch") { Description = "Images rendered together.", DefaultValueFactory = _ => 16 };
        var cmd = new Command("synth", "Measure images per second of the synthetic face world (streaming and dataset writing).") { n, sizes, batch };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            stdout.WriteLine($"bench synth: {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} logical CPUs");
            SynthBenchmark.Run(parse.GetValue(n), parse.GetValue(sizes)!, parse.GetValue(batch), stdout.WriteLine);
            return 0;
        }));
        return cmd;
    }
}
