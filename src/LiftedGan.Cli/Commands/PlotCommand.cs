using System.CommandLine;
using System.Globalization;
using System.Text;
using LiftedGan.Evaluation;
using LiftedGan.IO;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan plot`: loss curves from TensorBoard event files as a PNG (values in a CSV beside it).</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var tb = new Option<string>("--tb") { Description = "TensorBoard folder (events.out.tfevents.*) or one event file.", Required = true };
        var tags = new Option<string>("--tags") { Description = "Comma-separated scalar tags, e.g. loss/d,loss/g (colours in order: blue, orange, green, red, purple, brown).", Required = true };
        var smooth = new Option<int>("--smooth") { Description = "Trailing moving-average window in points (1 = raw).", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "PNG to write; the smoothed values go to the same name with .csv.", Required = true };
        var command = new Command("plot", "Plot scalar curves from TensorBoard event files (read-only; works on a live run).") { tb, tags, smooth, output };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int window = parse.GetValue(smooth);
            if (window < 1) throw new ArgumentException($"--smooth {window}: must be at least 1");
            var wanted = parse.GetValue(tags)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (wanted.Length == 0) throw new ArgumentException("--tags: none given");
            var scalars = TensorBoardScalars.Read(parse.GetValue(tb)!);
            var series = new List<(double[] X, double[] Y)>();
            var csv = new StringBuilder("tag,step,value,smoothed\n");
            foreach (var tag in wanted)
            {
                if (!scalars.TryGetValue(tag, out var points) || points.Count == 0)
                    throw new ArgumentException($"--tags {tag}: not in the event files (found: {string.Join(", ", scalars.Keys.Order())})");
                var ordered = points.OrderBy(p => p.Step).ToList();
                var smoothed = MovingAverage(ordered.Select(p => (double)p.Value).ToArray(), window);
                series.Add((ordered.Select(p => (double)p.Step).ToArray(), smoothed));
                for (int i = 0; i < ordered.Count; i++)
                    csv.Append(CultureInfo.InvariantCulture, $"{tag},{ordered[i].Step},{ordered[i].Value:R},{smoothed[i]:R}\n");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{tag}: {ordered.Count} points, steps {ordered[0].Step}..{ordered[^1].Step}, last smoothed {smoothed[^1]:G5}"));
            }
            string path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent) Directory.CreateDirectory(parent);
            LinePlot.SaveSeries(path, series);
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".csv"), Encoding.UTF8.GetBytes(csv.ToString()));
            stdout.WriteLine($"-> {path}");
            return 0;
        }));
        return command;
    }

    /// <summary>Trailing mean over up to <paramref name="window"/> points.</summary>
    static double[] MovingAverage(double[] y, int window)
    {
        var result = new double[y.Length];
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += y[i];
            if (i >= window) sum -= y[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
