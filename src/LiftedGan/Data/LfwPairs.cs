using System.Globalization;

namespace LiftedGan.Data;

/// <summary>One verification pair of LFW's pairs.txt: its fold, whether both images show one person, and the two images.</summary>
public sealed record LfwPair(int Fold, bool Same, string IdentityA, int IndexA, string IdentityB, int IndexB);

/// <summary>
/// LFW's verification pairs (pairs.txt, "View 2"): a header "FOLDS N", then per fold N same-person lines
/// "NAME I J" and N different-person lines "NAME1 I NAME2 J" (image numbers from 1). The images are found in a
/// folder `data lfw` prepared, through its split.csv.
/// </summary>
public static class LfwPairs
{
    /// <summary>Reads pairs.txt; a malformed header or line is an error naming the file and line.</summary>
    public static IReadOnlyList<LfwPair> Read(string path)
    {
        if (!File.Exists(path)) throw new DataPreparationException(path, "pairs file does not exist");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new DataPreparationException(path, "empty pairs file");
        var head = lines[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (head.Length != 2 || !int.TryParse(head[0], out int folds) || !int.TryParse(head[1], out int perClass) || folds < 1 || perClass < 1)
            throw new DataPreparationException(path, $"line 1: expected 'FOLDS PAIRS' (e.g. '10 300'), got '{lines[0].Trim()}'");
        if (lines.Count - 1 != folds * perClass * 2)
            throw new DataPreparationException(path, $"{lines.Count - 1} pairs; the header promises {folds} folds × 2 × {perClass} = {folds * perClass * 2}");
        var pairs = new List<LfwPair>(lines.Count - 1);
        for (int i = 1; i < lines.Count; i++)
        {
            int k = i - 1, fold = k / (2 * perClass);
            bool same = k % (2 * perClass) < perClass;
            var f = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int Index(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v
                : throw new DataPreparationException(path, $"line {i + 1}: '{s}' is not an image number");
            pairs.Add(same
                ? f.Length == 3 ? new LfwPair(fold, true, f[0], Index(f[1]), f[0], Index(f[2]))
                    : throw new DataPreparationException(path, $"line {i + 1}: a same-person pair needs 'NAME I J', got '{lines[i].Trim()}'")
                : f.Length == 4 ? new LfwPair(fold, false, f[0], Index(f[1]), f[2], Index(f[3]))
                    : throw new DataPreparationException(path, $"line {i + 1}: a different-person pair needs 'NAME1 I NAME2 J', got '{lines[i].Trim()}'"));
        }
        return pairs;
    }

    /// <summary>The split (train or held-out) of every identity in a prepared folder's split.csv.</summary>
    public static IReadOnlyDictionary<string, string> Splits(string prepared)
    {
        string manifest = Path.Combine(prepared, LfwPreparation.ManifestName);
        if (!File.Exists(manifest)) throw new DataPreparationException(prepared, $"no {LfwPreparation.ManifestName}: not a folder `data lfw` prepared");
        var splits = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(manifest).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length < 3) throw new DataPreparationException(manifest, $"malformed line '{line}'");
            splits[f[1]] = f[0];
        }
        return splits;
    }

    /// <summary>The prepared image of (identity, number): PREPARED/SPLIT/NAME/NAME_NNNN.png; a missing one is an error naming it.</summary>
    public static string ImagePath(string prepared, IReadOnlyDictionary<string, string> splits, string identity, int index)
    {
        if (!splits.TryGetValue(identity, out var split))
            throw new DataPreparationException(prepared, $"identity {identity} of the pairs is not in {LfwPreparation.ManifestName}");
        string file = Path.Combine(prepared, split, identity, $"{identity}_{index:D4}.png");
        return File.Exists(file) ? file : throw new DataPreparationException(file, "image of a verification pair not found");
    }
}
