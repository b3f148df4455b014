using System.CommandLine;
using System.Globalization;
using System.Text;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Plotting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan plot`: loss curves from TensorBoard event files or a step,value CSV log as a PNG (values in a CSV beside it).</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var tb = new Option<string?>("--tb") { Description = "TensorBoard folder (events.out.tfevents.*) or one event file." };
        var csvLog = new Option<string?>("--csv") { Description = "Instead of --tb: a CSV log whose first column is the step and whose header names the other columns (e.g. the estimator's .loss.csv)." };
        var tags = new Option<string>("--tags") { Description = "Comma-separated scalar tags or CSV columns, e.g. loss/d,loss/g (colours in order: blue, orange, green, red, purple, brown).", Required = true };
        var smooth = new Option<int>("--smooth") { Description = "Trailing moving-average window in points (1 = raw).", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "PNG to write (an SVG goes beside it); the smoothed values go to the same name with .csv.", Required = true };
        var title = new Option<string?>("--title") { Description = "Chart title (default: the source file or folder name)." };
        var yLabel = new Option<string>("--y-label") { Description = "Label of the y axis.", DefaultValueFactory = _ => "value" };
        var command = new Command("plot", "Plot scalar curves from TensorBoard event files or a CSV log (read-only; works on a live run).")
        {
            tb, csvLog, tags, smooth, output, title, yLabel,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int window = parse.GetValue(smooth);
            if (window < 1) throw new UsageException($"--smooth {window}: must be at least 1");
            var wanted = parse.GetValue(tags)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (wanted.Length == 0) throw new UsageException("--tags: none given");
            string? tbPath = parse.GetValue(tb), csvPath = parse.GetValue(csvLog);
            if ((tbPath is null) == (csvPath is null)) throw new UsageException("give exactly one of --tb and --csv");
            var scalars = tbPath is not null ? TensorBoardScalars.Read(tbPath) : ReadCsv(csvPath!);
            var series = new List<ChartSeries>();
            var csv = new StringBuilder("tag,step,value,smoothed\n");
            foreach (var tag in wanted)
            {
                if (!scalars.TryGetValue(tag, out var points) || points.Count == 0)
                    throw new UsageException($"--tags {tag}: not in the event files (found: {string.Join(", ", scalars.Keys.Order())})");
                var ordered = points.OrderBy(p => p.Step).ToList();
                var smoothed = MovingAverage(ordered.Select(p => (double)p.Value).ToArray(), window);
                series.Add(new ChartSeries(window > 1 ? $"{tag} (mean of {window})" : tag, ordered.Select(p => (double)p.Step).ToArray(), smoothed));
                for (int i = 0; i < ordered.Count; i++)
                    csv.Append(CultureInfo.InvariantCulture, $"{tag},{ordered[i].Step},{ordered[i].Value:R},{smoothed[i]:R}\n");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{tag}: {ordered.Count} points, steps {ordered[0].Step}..{ordered[^1].Step}, last smoothed {smoothed[^1]:G5}"));
            }
            string path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent) Directory.CreateDirectory(parent);
            // Default title: the log's name, with its run folder when the log is a run's tb/ folder.
            string full = Path.GetFullPath(Path.TrimEndingDirectorySeparator(tbPath ?? csvPath!));
            string source = Path.GetFileName(full) is "tb" && Path.GetFileName(Path.GetDirectoryName(full)) is { Length: > 0 } run ? $"{run}/tb" : Path.GetFileName(full);
            Chart.Save(path, parse.GetValue(title) ?? source, "step", parse.GetValue(yLabel)!, series);
            if (!Chart.HasFonts) stdout.WriteLine("note: no system font found, the PNG has no text; the SVG beside it has");
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".csv"), Encoding.UTF8.GetBytes(csv.ToString()));
            stdout.WriteLine($"-> {path} and {Path.ChangeExtension(path, ".svg")}");
            return 0;
        }));
        return command;
    }

    /// <summary>Columns of a CSV log (header: step,name,...; numbers in invariant culture) as (step, value) series.</summary>
    static IReadOnlyDictionary<string, List<ScalarPoint>> ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"--csv {path}: file not found");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) throw new UsageException($"--csv {path}: needs a header and at least one row");
        var header = lines[0].Split(',');
        var columns = header.Skip(1).ToDictionary(h => h, _ => new List<ScalarPoint>());
        for (int r = 1; r < lines.Length; r++)
        {
            var cells = lines[r].Split(',');
            if (cells.Length != header.Length || !long.TryParse(cells[0], CultureInfo.InvariantCulture, out long step))
                throw new UsageException($"--csv {path}: line {r + 1} is not step followed by {header.Length - 1} values");
            for (int c = 1; c < cells.Length; c++)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new UsageException($"--csv {path}: line {r + 1}, column {header[c]}: '{cells[c]}' is not a number");
                columns[header[c]].Add(new ScalarPoint(step, double.NaN, v));
            }
        }
        return columns;
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
