using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using SkiaSharp;

namespace LiftedGan.Plotting;

/// <summary>One curve of a <see cref="Chart"/>: points (x, y), optionally a ± spread drawn as a pale band.</summary>
public sealed record ChartSeries(string Title, double[] X, double[] Y, double[]? Spread = null, bool Markers = false);

/// <summary>A plot that cannot be drawn from the data given.</summary>
public sealed class ChartException(string path, string problem) : LiftedGanException(path, problem);

/// <summary>
/// Line charts with a title, labelled axes with tick values and a legend (OxyPlot): written as PNG (SkiaSharp, the
/// 2.88 line TorchSharp uses) and as SVG beside it (text as text, for pages and for machines without fonts). Optional
/// category labels replace the x values (one tick per category, e.g. the rows of a comparison table).
/// </summary>
public static class Chart
{
    /// <summary>True when SkiaSharp finds a typeface with glyphs; without one the PNG has no text (the SVG still has).</summary>
    public static bool HasFonts { get; } = SKTypeface.Default is { } t && t.GlyphCount > 0;

    /// <summary>
    /// Writes <paramref name="path"/> (PNG) and the same chart as SVG (path with .svg). Non-finite values are left
    /// out of a curve. <paramref name="yMin"/>/<paramref name="yMax"/> fix the y range; otherwise it fits the data.
    /// </summary>
    public static void Save(string path, string title, string xTitle, string yTitle, IReadOnlyList<ChartSeries> series,
        double? yMin = null, double? yMax = null, IReadOnlyList<string>? categories = null, int width = 640, int height = 400)
    {
        if (series.Count == 0) throw new ChartException(path, "a chart needs at least one series");
        foreach (var s in series)
        {
            if (s.X.Length == 0 || s.X.Length != s.Y.Length || (s.Spread is { } d && d.Length != s.Y.Length))
                throw new ChartException(path, $"series '{s.Title}' needs equally long, non-empty x, y (and spread)");
        }
        var model = Build(title, xTitle, yTitle, series, yMin, yMax, categories);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        Write(path, stream => new OxyPlot.SkiaSharp.PngExporter { Width = width, Height = height }.Export(model, stream));
        Write(Path.ChangeExtension(path, ".svg"), stream => new SvgExporter { Width = width, Height = height }.Export(model, stream));
    }

    static PlotModel Build(string title, string xTitle, string yTitle, IReadOnlyList<ChartSeries> series, double? yMin, double? yMax,
        IReadOnlyList<string>? categories)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White, DefaultFont = "DejaVu Sans" };
        if (categories is null)
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = xTitle, MajorGridlineStyle = LineStyle.Dot });
        else
        {
            // Categories at x = 0, 1, ...: a linear axis with one labelled tick per category keeps the line series.
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Bottom, Title = xTitle, MajorStep = 1, MinorStep = 1, Minimum = -0.5, Maximum = categories.Count - 0.5,
                LabelFormatter = v => Math.Abs(v - Math.Round(v)) < 1e-9 && v >= 0 && v < categories.Count ? categories[(int)Math.Round(v)] : "",
                Angle = categories.Any(c => c.Length > 8) ? -30 : 0, MajorGridlineStyle = LineStyle.Dot,
            });
        }
        var y = new LinearAxis { Position = AxisPosition.Left, Title = yTitle, MajorGridlineStyle = LineStyle.Dot };
        if (yMin is double lo) y.Minimum = lo;
        if (yMax is double hi) y.Maximum = hi;
        model.Axes.Add(y);
        foreach (var s in series)
        {
            var points = Enumerable.Range(0, s.X.Length).Where(i => double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i])).ToList();
            if (s.Spread is { } spread)
            {
                var band = new AreaSeries { Title = null, Fill = OxyColor.FromAColor(60, OxyColors.SteelBlue), StrokeThickness = 0, Color = OxyColors.Transparent };
                foreach (int i in points.Where(i => double.IsFinite(spread[i])))
                {
                    band.Points.Add(new DataPoint(s.X[i], s.Y[i] - spread[i]));
                    band.Points2.Add(new DataPoint(s.X[i], s.Y[i] + spread[i]));
                }
                model.Series.Add(band);
            }
            var line = new LineSeries { Title = s.Title, StrokeThickness = 2, MarkerType = s.Markers ? MarkerType.Square : MarkerType.None, MarkerSize = 3 };
            foreach (int i in points) line.Points.Add(new DataPoint(s.X[i], s.Y[i]));
            model.Series.Add(line);
        }
        if (series.Any(s => !string.IsNullOrEmpty(s.Title)))
            model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight, LegendBackground = OxyColor.FromAColor(200, OxyColors.White) });
        return model;
    }

    /// <summary>Renders into memory and writes the file atomically (<see cref="IO.AtomicFile"/>).</summary>
    static void Write(string path, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        IO.AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }
}
