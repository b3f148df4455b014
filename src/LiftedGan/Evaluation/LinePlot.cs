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
}
