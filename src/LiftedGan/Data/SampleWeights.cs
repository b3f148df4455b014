using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Data;

/// <summary>What <see cref="SampleWeights.Balance(IReadOnlyList{double[]}, double, double, double)"/> did to the angles' distribution: each angle's spread over the images as the data holds them and over weighted draws.</summary>
/// <param name="Weights">One weight per row, mean 1.</param>
/// <param name="Uniform">Each balanced angle's spread over the images, in the order given.</param>
/// <param name="Weighted">Its spread over draws by the weights.</param>
public sealed record BalancedSampling(IReadOnlyList<double> Weights, IReadOnlyList<AngleSpread> Uniform, IReadOnlyList<AngleSpread> Weighted);

/// <summary>
/// Per-image sampling weights of an image folder (CSV "file,weight", files relative to the folder with '/'): the
/// StyleGAN2 trainer's folder source draws its real images in proportion to them (<see cref="StyleGan2.ImageFolderSource"/>). Made by
/// <see cref="Balance(IReadOnlyList{double[]}, double, double, double)"/> from a pose judge's angles so that turned faces are drawn more often than a data set holds them.
/// </summary>
public static class SampleWeights
{
    /// <summary>Reads a "file,weight" CSV; a malformed line, a negative or non-finite weight or no positive weight is an error naming the file and line.</summary>
    public static IReadOnlyDictionary<string, double> Read(string path)
    {
        if (!File.Exists(path)) throw new DataPreparationException(path, "sample-weights file does not exist");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != "file,weight")
            throw new DataPreparationException(path, "line 1: expected the header 'file,weight'");
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            int comma = lines[i].LastIndexOf(',');
            if (comma <= 0 || !double.TryParse(lines[i][(comma + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double w))
                throw new DataPreparationException(path, $"line {i + 1}: expected 'file,weight', got '{lines[i].Trim()}'");
            if (!double.IsFinite(w) || w < 0) throw new DataPreparationException(path, $"line {i + 1}: weight {w} must be finite and ≥ 0");
            if (!weights.TryAdd(lines[i][..comma], w)) throw new DataPreparationException(path, $"line {i + 1}: {lines[i][..comma]} is listed twice");
        }
        if (!weights.Values.Any(w => w > 0)) throw new DataPreparationException(path, "no image has a positive weight");
        return weights;
    }

    /// <summary>Writes a "file,weight" CSV atomically.</summary>
    public static void Write(string path, IReadOnlyList<string> files, IReadOnlyList<double> weights)
    {
        if (files.Count != weights.Count) throw new ArgumentException("one weight per file");
        var sb = new StringBuilder("file,weight\n");
        for (int i = 0; i < files.Count; i++) sb.Append(files[i]).Append(',').Append(weights[i].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>
    /// The (file, angles) rows of a judge's per-image CSV ("file,yaw,pitch,roll", as the pose command writes it) for
    /// <paramref name="columns"/>, in that order; a missing column or a malformed value is an error naming the file and line.
    /// </summary>
    public static IReadOnlyList<(string File, double[] Angles)> ReadAngles(string path, params string[] columns)
    {
        if (!File.Exists(path)) throw new DataPreparationException(path, "poses file does not exist");
        if (columns.Length == 0) throw new DataPreparationException(path, "no angle column asked for");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        var header = lines.Count > 0 ? lines[0].Split(',') : [];
        int file = Array.IndexOf(header, "file");
        var k = columns.Select(c => Array.IndexOf(header, c)).ToArray();
        if (file < 0 || k.Any(i => i < 0))
            throw new DataPreparationException(path, $"line 1: needs the columns 'file' and '{string.Join("', '", columns)}' (a pose judge's per-image CSV has file,yaw,pitch,roll)");
        var rows = new List<(string, double[])>();
        for (int i = 1; i < lines.Count; i++)
        {
            var f = lines[i].Split(',');
            var angles = new double[k.Length];
            bool ok = f.Length == header.Length;
            for (int j = 0; ok && j < k.Length; j++)
                ok = double.TryParse(f[k[j]], NumberStyles.Float, CultureInfo.InvariantCulture, out angles[j]) && double.IsFinite(angles[j]);
            if (!ok) throw new DataPreparationException(path, $"line {i + 1}: expected {header.Length} fields with numbers in '{string.Join("', '", columns)}', got '{lines[i].Trim()}'");
            rows.Add((f[file], angles));
        }
        if (rows.Count < 2) throw new DataPreparationException(path, "fewer than 2 images");
        return rows;
    }

    /// <summary><see cref="Balance(IReadOnlyList{double[]}, double, double, double)"/> of one angle.</summary>
    public static BalancedSampling Balance(IReadOnlyList<double> angles, double binWidth = 5, double power = 1, double maxWeight = 10) =>
        Balance(angles.Select(a => new[] { a }).ToList(), binWidth, power, maxWeight);

    /// <summary>
    /// Weights that flatten the joint distribution of each row's <paramref name="angles"/> (one or more angles per image,
    /// e.g. yaw and pitch): every angle is binned by <paramref name="binWidth"/> degrees (bins centred on 0), each image
    /// weighted by (1 / the count of its joint bin)^<paramref name="power"/> (0: uniform, 1: every occupied bin drawn
    /// equally often), then capped at <paramref name="maxWeight"/> times the mean and scaled to mean 1, so that a few
    /// lone extreme images are not drawn in every batch.
    /// </summary>
    public static BalancedSampling Balance(IReadOnlyList<double[]> angles, double binWidth = 5, double power = 1, double maxWeight = 10)
    {
        if (angles.Count < 2) throw new DataPreparationException("angles", "fewer than 2 images");
        int columns = angles[0].Length;
        if (columns == 0 || angles.Any(a => a.Length != columns)) throw new DataPreparationException("angles", "every image needs the same number of angles");
        if (!(binWidth > 0)) throw new DataPreparationException("bin width", $"{binWidth}: must be > 0");
        if (!(power >= 0)) throw new DataPreparationException("power", $"{power}: must be ≥ 0");
        if (!(maxWeight >= 1)) throw new DataPreparationException("max weight", $"{maxWeight}: must be ≥ 1");
        var bins = angles.Select(a => string.Join(",", a.Select(x => (long)Math.Floor(x / binWidth + 0.5)))).ToList();
        var counts = bins.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        var w = bins.Select(b => Math.Pow(1.0 / counts[b], power)).ToArray();
        // Cap relative to the mean, then rescale; repeat until no weight exceeds the cap (at most a few rounds).
        for (int round = 0; round < 50; round++)
        {
            double mean = w.Average();
            for (int i = 0; i < w.Length; i++) w[i] /= mean;
            if (w.All(x => x <= maxWeight + 1e-9)) break;
            for (int i = 0; i < w.Length; i++) w[i] = Math.Min(w[i], maxWeight);
        }
        var perColumn = Enumerable.Range(0, columns).Select(c => angles.Select(a => a[c]).ToList()).ToList();
        return new BalancedSampling(w, perColumn.Select(a => AngleSpread.Of(a)).ToList(), perColumn.Select(a => AngleSpread.Of(a, w)).ToList());
    }
}
