using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// A minimal line plot as PNG without text (ScottPlot 5.1 needs SkiaSharp 3.x, which conflicts with the SkiaSharp
/// 2.88.9 TorchSharp pins): light grey grid lines at every x value and at each quarter of the y range, black axes,
/// a pale band for ± <c>spread</c> and the mean as a blue line with square markers. Axis values go in the CSV beside it.
/// </summary>
public static class LinePlot
{
    public static void Save(string path, double[] x, double[] y, double[] spread, double yMin, double yMax, int width = 480, int height = 320)
    {
        if (x.Length == 0 || x.Length != y.Length || y.Length != spread.Length)
            throw new EvaluationException(path, "plot needs equally long, non-empty x, y and spread");
        var pixels = new float[3, height, width];
        for (int r = 0; r < height; r++) for (int c = 0; c < width; c++) for (int k = 0; k < 3; k++) pixels[k, r, c] = 1;
        const int margin = 24;
        double xMin = x.Min(), xMax = x.Max();
        if (xMax <= xMin) { xMin -= 1; xMax += 1; }
        if (yMax <= yMin) yMax = yMin + 1;
        int Col(double v) => margin + (int)Math.Round((v - xMin) / (xMax - xMin) * (width - 2 * margin));
        int Row(double v) => height - margin - (int)Math.Round((Math.Clamp(v, yMin, yMax) - yMin) / (yMax - yMin) * (height - 2 * margin));
        void Set(int r, int c, float red, float green, float blue)
        {
            if (r < 0 || r >= height || c < 0 || c >= width) return;
            pixels[0, r, c] = red; pixels[1, r, c] = green; pixels[2, r, c] = blue;
        }
        void Line(int r0, int c0, int r1, int c1, float red, float green, float blue)
        {
            int steps = Math.Max(Math.Abs(r1 - r0), Math.Abs(c1 - c0));
            for (int s = 0; s <= steps; s++)
            {
                double t = steps == 0 ? 0 : (double)s / steps;
                Set((int)Math.Round(r0 + t * (r1 - r0)), (int)Math.Round(c0 + t * (c1 - c0)), red, green, blue);
            }
        }
        foreach (var v in x) Line(margin, Col(v), height - margin, Col(v), 0.85f, 0.85f, 0.85f);
        for (int q = 0; q <= 4; q++) { int r = Row(yMin + q * (yMax - yMin) / 4); Line(r, margin, r, width - margin, 0.85f, 0.85f, 0.85f); }
        Line(height - margin, margin, height - margin, width - margin, 0, 0, 0);
        Line(margin, margin, height - margin, margin, 0, 0, 0);
        for (int i = 0; i < x.Length; i++) Line(Row(y[i] + spread[i]), Col(x[i]), Row(y[i] - spread[i]), Col(x[i]), 0.6f, 0.75f, 1f);
        for (int i = 0; i + 1 < x.Length; i++)
            for (int d = -1; d <= 1; d++) Line(Row(y[i]) + d, Col(x[i]), Row(y[i + 1]) + d, Col(x[i + 1]), 0.1f, 0.3f, 0.9f);
        for (int i = 0; i < x.Length; i++)
            for (int dr = -3; dr <= 3; dr++) for (int dc = -3; dc <= 3; dc++) Set(Row(y[i]) + dr, Col(x[i]) + dc, 0.1f, 0.3f, 0.9f);
        using var image = tensor(pixels.Cast<float>().ToArray()).view(3, height, width) * 2 - 1;
        ImageIO.SavePng(path, image);
    }

    /// <summary>Series colours in order (blue, orange, green, red, purple, brown), repeated.</summary>
    static readonly float[][] Palette =
    {
        new[] { 0.12f, 0.47f, 0.71f }, new[] { 1f, 0.5f, 0.05f }, new[] { 0.17f, 0.63f, 0.17f },
        new[] { 0.84f, 0.15f, 0.16f }, new[] { 0.58f, 0.4f, 0.74f }, new[] { 0.55f, 0.34f, 0.29f },
    };

    /// <summary>
    /// Several curves (x, y) on shared axes (the range of all finite values), each a 2-px line in the next
    /// <see cref="Palette"/> colour, no markers; light grey grid at each quarter of both ranges, black axes, no text.
    /// </summary>
    public static void SaveSeries(string path, IReadOnlyList<(double[] X, double[] Y)> series, int width = 640, int height = 360)
    {
        if (series.Count == 0 || series.Any(s => s.X.Length == 0 || s.X.Length != s.Y.Length))
            throw new EvaluationException(path, "plot needs at least one series of equally long, non-empty x and y");
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double xMin = xs.Min(), xMax = xs.Max(), yMin = ys.Min(), yMax = ys.Max();
        if (xMax <= xMin) { xMin -= 1; xMax += 1; }
        if (yMax <= yMin) { yMin -= 1; yMax += 1; }
        var pixels = new float[3, height, width];
        for (int r = 0; r < height; r++) for (int c = 0; c < width; c++) for (int k = 0; k < 3; k++) pixels[k, r, c] = 1;
        const int margin = 24;
        int Col(double v) => margin + (int)Math.Round((v - xMin) / (xMax - xMin) * (width - 2 * margin));
        int Row(double v) => height - margin - (int)Math.Round((v - yMin) / (yMax - yMin) * (height - 2 * margin));
        void Line(int r0, int c0, int r1, int c1, float[] rgb)
        {
            int steps = Math.Max(Math.Abs(r1 - r0), Math.Abs(c1 - c0));
            for (int s = 0; s <= steps; s++)
            {
                double t = steps == 0 ? 0 : (double)s / steps;
                int r = (int)Math.Round(r0 + t * (r1 - r0)), c = (int)Math.Round(c0 + t * (c1 - c0));
                if (r < 0 || r >= height || c < 0 || c >= width) continue;
                for (int k = 0; k < 3; k++) pixels[k, r, c] = rgb[k];
            }
        }
        var grey = new[] { 0.85f, 0.85f, 0.85f };
        for (int q = 0; q <= 4; q++)
        {
            int r = Row(yMin + q * (yMax - yMin) / 4), c = Col(xMin + q * (xMax - xMin) / 4);
            Line(r, margin, r, width - margin, grey);
            Line(margin, c, height - margin, c, grey);
        }
        var black = new[] { 0f, 0f, 0f };
        Line(height - margin, margin, height - margin, width - margin, black);
        Line(margin, margin, height - margin, margin, black);
        for (int s = 0; s < series.Count; s++)
        {
            var (x, y) = series[s];
            var colour = Palette[s % Palette.Length];
            for (int i = 0; i + 1 < x.Length; i++)
            {
                if (!double.IsFinite(y[i]) || !double.IsFinite(y[i + 1])) continue;
                for (int d = 0; d <= 1; d++) Line(Row(y[i]) + d, Col(x[i]), Row(y[i + 1]) + d, Col(x[i + 1]), colour);
            }
        }
        using var image = tensor(pixels.Cast<float>().ToArray()).view(3, height, width) * 2 - 1;
        ImageIO.SavePng(path, image);
    }
}
