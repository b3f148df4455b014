using LiftedGan.Imaging;
using LiftedGan.Plotting;
using Xunit;

namespace LiftedGan.Tests.Plotting;

public class ChartTests
{
    [Fact]
    public void WritesAPngAndAnSvgWithTitleAxisLabelsTicksAndLegend()
    {
        var dir = Directory.CreateTempSubdirectory("chart").FullName;
        try
        {
            string png = Path.Combine(dir, "sub", "curve.png");
            double[] x = [0, 100, 200, 300], y = [2.5, 1.5, 1.25, 1.0];
            Chart.Save(png, "lift losses", "step", "loss", [new ChartSeries("loss/total", x, y), new ChartSeries("with band", x, y, [0.1, 0.1, 0.2, double.NaN], Markers: true)],
                width: 500, height: 300);
            string svg = File.ReadAllText(Path.ChangeExtension(png, ".svg"));
            foreach (var text in new[] { "lift losses", ">step<", ">loss<", "loss/total", "with band", ">300<" }) Assert.Contains(text, svg);
            using var image = ImageIO.Load(png);
            Assert.Equal(new long[] { 3, 300, 500 }, image.shape);
            // Not blank: curves and axes draw dark pixels; with a font the title row (top 10 %) has ink too.
            Assert.True(image.lt(0).any().item<bool>());
            if (Chart.HasFonts) Assert.True(image[.., ..30, ..].lt(0).any().item<bool>(), "no title drawn");
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "sub"), "*.tmp-*"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CategoriesLabelTheXAxisAndBadSeriesAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("chart").FullName;
        try
        {
            string png = Path.Combine(dir, "fid.png");
            Chart.Save(png, "FID", "run", "FID", [new ChartSeries("fid", [0, 1, 2], [30, 25, 27], Markers: true)], categories: ["full", "w/o flip", "w/o perturb"]);
            string svg = File.ReadAllText(Path.ChangeExtension(png, ".svg"));
            Assert.Contains("w/o flip", svg);
            Assert.Contains("w/o perturb", svg);
            var e = Assert.Throws<ChartException>(() => Chart.Save(png, "t", "x", "y", [new ChartSeries("bad", [0, 1], [1])]));
            Assert.Contains("fid.png", e.Message);
            Assert.Contains("'bad'", e.Message);
            Assert.Throws<ChartException>(() => Chart.Save(png, "t", "x", "y", []));
        }
        finally { Directory.Delete(dir, true); }
    }
}
