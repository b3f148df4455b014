using System.CommandLine;
using System.Diagnostics;
using LiftedGan.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan bench eval`: images per second of the Inception feature extractor (forward at 299 px, median wall time)
/// and process CPU time per image (less sensitive to other load on shared machines).
/// </summary>
internal static class BenchEvalCommand
{
    public static Command Create()
    {
        var batches = new Option<int[]>("--batches") { Description = "Batch sizes to measure.", DefaultValueFactory = _ => new[] { 1, 8, 16 }, AllowMultipleArgumentsPerToken = true };
        var iterations = new Option<int>("--iterations") { Description = "Timed calls per batch size (median reported).", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "Input image size (resized to 299 inside).", DefaultValueFactory = _ => 256 };
        var inception = new Option<string?>("--inception") { Description = "Inception weights (default: the hashed substitute; speed is the same)." };
        var cmd = new Command("eval", "Measure FID feature extraction throughput (Inception-v3 pool3, images/s).") { batches, iterations, size, inception };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var net = parse.GetValue(inception) is { } path ? InceptionNetwork.Load(path) : InceptionNetwork.Hashed();
            var rows = new List<BenchCommand.BenchRow>();
            int s = parse.GetValue(size);
            foreach (int batch in parse.GetValue(batches)!)
            {
                if (batch < 1) throw new ArgumentException($"--batches {batch}: must be at least 1");
                using var x = rand([batch, 3, s, s], generator: new torch.Generator(0)) * 2 - 1;
                using (var warm = net.Features.forward(x)) { }
                var times = new List<double>();
                var process = Process.GetCurrentProcess();
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                int calls = Math.Max(1, parse.GetValue(iterations));
                for (int i = 0; i < calls; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var f = net.Features.forward(x);
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
                process.Refresh();
                double cpuMsPerImage = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / (calls * batch);
                double ms = times.Order().ElementAt(times.Count / 2);
                rows.Add(new BenchCommand.BenchRow($"inception {s}->299 B={batch}", ms, null,
                    $"{batch * 1000.0 / ms:F2} images/s, cpu {cpuMsPerImage:F0} ms/image ({net.Id})"));
            }
            BenchCommand.Print(stdout, rows);
            return 0;
        }));
        return cmd;
    }
}
