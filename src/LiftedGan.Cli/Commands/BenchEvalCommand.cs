using System.CommandLine;
using System.Diagnostics;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan bench eval`: images per second of the Inception feature extractor (forward at 299 px, median wall time)
/// and process CPU time per image (less sensitive to other load on shared machines); with a lift, its teacher and an
/// estimator also the disentanglement score and the Table-2 protocol (images/s of the whole metric, rendering included).
/// </summary>
internal static class BenchEvalCommand
{
    public static Command Create()
    {
        var batches = new Option<int[]>("--batches") { Description = "Batch sizes to measure.", DefaultValueFactory = _ => new[] { 1, 8, 16 }, AllowMultipleArgumentsPerToken = true };
        var iterations = new Option<int>("--repeats") { Description = "Timed calls per batch size (median reported).", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "Input image size (resized to 299 inside).", DefaultValueFactory = _ => 256 };
        var inception = new Option<string?>("--inception") { Description = "Inception weights (default: the hashed substitute; speed is the same)." };
        var lift = new Option<string?>("--ckpt") { Description = "A lift checkpoint: also time DS and Table 2 (with --stylegan and --estimator)." };
        var stylegan = new Option<string?>("--stylegan") { Description = "The lift's teacher." };
        var estimator = new Option<string?>("--estimator") { Description = "Pose-and-depth estimator for DS and Table 2." };
        var groups = new Option<int>("--ds-groups") { Description = "DS groups per factor timed (10 samples each).", DefaultValueFactory = _ => 4 };
        var cmd = new Command("eval", "Measure evaluation throughput: Inception features (FID/KID), and DS and Table 2 of a lift (images/s).")
        {
            batches, iterations, size, inception, lift, stylegan, estimator, groups,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var net = parse.GetValue(inception) is { } path ? InceptionNetwork.Load(path) : InceptionNetwork.Hashed();
            var rows = new List<BenchCommand.BenchRow>();
            int s = parse.GetValue(size);
            foreach (int batch in parse.GetValue(batches)!)
            {
                if (batch < 1) throw new UsageException($"--batches {batch}: must be at least 1");
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
            if (parse.GetValue(lift) is { } ckpt)
            {
                if (parse.GetValue(stylegan) is not { } teacher || parse.GetValue(estimator) is not { } est)
                    throw new UsageException("--ckpt: needs --stylegan and --estimator");
                using var sampler = LiftedSampler.Open(ckpt, teacher);
                using var pose = PoseDepthTraining.Load(est);
                int g = parse.GetValue(groups);
                var o = new DisentanglementOptions { Groups = g, PerGroup = 10, ReferenceCount = 10 * g };
                int dsImages = 3 * g * 10 + o.ReferenceCount;
                rows.Add(TimeMetric($"ds {g}x10 x3 factors + {o.ReferenceCount} ref", dsImages, () => LiftedControls.MeasureDisentanglement(sampler, pose, null, o)));
                rows.Add(TimeMetric("table2 32 samples", 32, () => Table2Protocol.ForLiftedGenerator(sampler.Model, pose, 32, 1)));
            }
            BenchCommand.Print(stdout, rows);
            return 0;
        }));
        return cmd;
    }

    /// <summary>One timed run of a whole metric over <paramref name="images"/> images: wall ms, images/s, CPU ms per image.</summary>
    static BenchCommand.BenchRow TimeMetric(string name, int images, Action run)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        run();
        double ms = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / images;
        return new BenchCommand.BenchRow(name, ms, null, $"{images * 1000.0 / ms:F2} images/s, cpu {cpu:F0} ms/image");
    }
}
