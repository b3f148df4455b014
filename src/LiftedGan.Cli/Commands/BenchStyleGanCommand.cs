using System.CommandLine;
using System.Globalization;
using LiftedGan.StyleGan2;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench stylegan`: generator images/s and training steps/s, with GFLOP/s against this machine's matmul.</summary>
internal static class BenchStyleGanCommand
{
    public static Command Create()
    {
        var genIters = new Option<int>("--repeats") { Description = "Timed generator batches per configuration.", DefaultValueFactory = _ => 5 };
        var trainSteps = new Option<int>("--steps") { Description = "Timed training steps per configuration.", DefaultValueFactory = _ => 3 };
        var only = new Option<string?>("--only") { Description = "Run one configuration: small64 or paper256." };
        var cmd = new Command("stylegan", "Measure StyleGAN2 generator and training throughput (batch 8) at 64 px and 256 px.") { genIters, trainSteps, only };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine($"bench stylegan: {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} logical CPUs");
            double peak = StyleGanBenchmark.MatmulGflops();
            stdout.WriteLine(string.Create(inv, $"matmul 2048x2048 float32: {peak:F1} GFLOP/s (reference)"));
            var configs = new List<(string Name, TrainOptions Options)> { ("small64", StyleGanBenchmark.Small64), ("paper256", StyleGanBenchmark.Paper256) };
            if (parse.GetValue(only) is { } name)
            {
                configs = configs.Where(c => c.Name == name).ToList();
                if (configs.Count == 0) throw new UsageException($"--only {name}: expected small64 or paper256");
            }
            foreach (var (n, o) in configs)
            {
                var r = StyleGanBenchmark.Run(n, o, parse.GetValue(genIters), parse.GetValue(trainSteps));
                stdout.WriteLine(string.Create(inv,
                    $"{r.Name} (batch {r.Batch}): generator {r.ImagesPerSecond:F2} images/s = {r.GeneratorGflops:F1} GFLOP/s ({100 * r.GeneratorGflops / peak:F0}% of matmul); " +
                    $"training {r.StepsPerSecond:F3} steps/s = {r.TrainGflops:F1} GFLOP/s ({100 * r.TrainGflops / peak:F0}% of matmul)"));
            }
            return 0;
        }));
        return cmd;
    }
}
