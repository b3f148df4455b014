using System.CommandLine;
using LiftedGan.Rendering;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan bench ...`: timing runs printed as one table per run. `bench render` times the depth-map renderer;
/// further rows (e.g. a generator forward to compare against) are added as more <see cref="BenchRow"/>s.
/// </summary>
internal static class BenchCommand
{
    /// <summary>One printed benchmark row (milliseconds are medians per call).</summary>
    internal sealed record BenchRow(string Name, double ForwardMs, double? ForwardBackwardMs, string Detail);

    public static Command Create() => new("bench", "Timing runs printed side by side (use --threads to pin the core count).")
    {
        BenchStyleGanCommand.Create(),
        BenchSynthCommand.Create(),
        BenchEvalCommand.Create(),
        BuildRender(),
        BenchLiftCommand.Create(),
        BenchUnsup3dCommand.Create(),
        BenchGan2ShapeCommand.Create(),
        BenchTrainCommand.Create(),
        BenchConvCommand.Create(),
        BenchHugePagesCommand.Create(),
        BuildPerceptual(),
    };

    static Command BuildPerceptual()
    {
        var size = new Option<int>("--size") { Description = "Image side S.", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var repeats = new Option<int>("--repeats") { Description = "Timed calls per measurement (median reported).", DefaultValueFactory = _ => 3 };
        var command = new Command("perceptual", "Time VGG16 up to relu4_3 (the perceptual network, random features): forward, and forward + backward to the input.")
        { size, batch, repeats };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int s = CliValues.Int(parse, size, 16, 1024), b = CliValues.Int(parse, batch, 1, 256);
            var (fwd, both, flops) = LiftedGan.Lifting.LiftingBenchmark.Perceptual(s, b, CliValues.Int(parse, repeats, 1, 100));
            stdout.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"perceptual VGG16 relu4_3 {s} px batch {b} ({TorchSharp.torch.get_num_threads()} threads, convolution policy {LiftedGan.Torch.ConvGuard.Policy}): " +
                $"forward {fwd:F1} ms, forward + backward {both:F1} ms; forward {flops / 1e9:F1} GFLOP ({flops / (fwd / 1000) / 1e9:F0} GFLOP/s)"));
            return 0;
        }));
        return command;
    }

    static Command BuildRender()
    {
        var sizes = new Option<int[]>("--sizes")
        {
            Description = "Image sizes S (S x S depth map, 2(S-1)^2 triangles per sample).",
            DefaultValueFactory = _ => new[] { 64, 128, 256 },
            AllowMultipleArgumentsPerToken = true,
        };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var iterations = new Option<int>("--repeats") { Description = "Timed calls per measurement (median reported).", DefaultValueFactory = _ => 5 };
        var command = new Command("render", "Time the LiftedGAN renderer: rasteriser kernel, forward render, forward + backward.");
        command.Options.Add(sizes);
        command.Options.Add(batch);
        command.Options.Add(iterations);
        command.SetAction(parse => GlobalOptions.Execute(parse, output =>
        {
            var measured = RenderBenchmark.Run(parse.GetValue(sizes) ?? Array.Empty<int>(), parse.GetValue(batch), parse.GetValue(iterations));
            var rows = measured.Select(r => new BenchRow(
                $"render {r.ImageSize}x{r.ImageSize} B={r.Batch}", r.ForwardMs, r.ForwardBackwardMs,
                $"raster {r.RasterizeMs:F1} ms, cpu fwd {r.ForwardCpuMs:F0} / fwd+bwd {r.ForwardBackwardCpuMs:F0} ms, " +
                $"{r.Triangles / 1e6:F2} M tris, {r.TrianglesPerSecond / 1e6:F2} M tris/s")).ToList();
            Print(output, rows);
            return 0;
        }));
        return command;
    }

    /// <summary>Prints the rows with the thread count used.</summary>
    internal static void Print(TextWriter output, IReadOnlyList<BenchRow> rows)
    {
        output.WriteLine($"threads: {TorchSharp.torch.get_num_threads()}, device: {Torch.TorchRuntime.Device}, cores: {Environment.ProcessorCount}");
        output.WriteLine($"{"case",-24} {"forward ms",11} {"fwd+bwd ms",11}  detail");
        foreach (var r in rows)
            output.WriteLine($"{r.Name,-24} {r.ForwardMs,11:F1} {(r.ForwardBackwardMs is { } fb ? fb.ToString("F1") : "-"),11}  {r.Detail}");
    }
}
