using System.Globalization;
using System.Text;
using LiftedGan.Imaging;
using LiftedGan.IO;
using static TorchSharp.torch;

namespace LiftedGan.Data;

/// <summary>A data set that cannot be prepared: names the file or folder and the problem.</summary>
public sealed class DataPreparationException(string subject, string problem) : LiftedGanException(subject, problem);

/// <summary>One prepared image: its split, identity, the written file (relative to the output folder) and its source.</summary>
public sealed record LfwEntry(string Split, string Identity, string File, string Source);

/// <summary>What <see cref="LfwPreparation.Prepare"/> wrote.</summary>
public sealed record LfwPreparationResult(int Size, long Seed, double HeldOutFraction, IReadOnlyList<LfwEntry> Entries)
{
    /// <summary>Identities in the training split, sorted.</summary>
    public IReadOnlyList<string> TrainIdentities => Identities(LfwPreparation.TrainSplit);

    /// <summary>Identities in the held-out split, sorted.</summary>
    public IReadOnlyList<string> HeldOutIdentities => Identities(LfwPreparation.HeldOutSplit);

    IReadOnlyList<string> Identities(string split) =>
        Entries.Where(e => e.Split == split).Select(e => e.Identity).Distinct().Order(StringComparer.Ordinal).ToList();
}

/// <summary>
/// Labeled Faces in the Wild as the StyleGAN2 trainer reads it. The source is LFW's own layout, one folder per
/// identity holding IDENTITY_NNNN.jpg, 250 x 250 (the copy in docs/real-faces.md is greyscale). Every image is cut
/// to the fixed centred box <see cref="CropBox"/>, resized to the output size (antialiased bilinear, the trainer's
/// own resize) and written as PNG under OUT/train/IDENTITY/ or OUT/held-out/IDENTITY/: one channel where the source
/// is grey (the trainer reads grey as RGB with three equal channels), RGB otherwise. The split is by identity, so no
/// person is in both; which identities are held out depends only on the seed and the identity names. OUT/split.csv
/// lists every file (split, identity, file, source).
/// </summary>
public static class LfwPreparation
{
    /// <summary>LFW's image side in pixels.</summary>
    public const int SourceSide = 250;

    /// <summary>
    /// The crop: x and y from 50 to 200 (150 x 150, centred). LFW centres each image on a Viola-Jones face box
    /// enlarged 2.2 times, so the face box is the central ~114 px; 150 px keeps the whole face, chin and a band of hair
    /// (about 18 px beyond the box on each side), close to FFHQ's framing, and drops most of the background and shoulders.
    /// </summary>
    public static readonly (int X, int Y, int Side) CropBox = (50, 50, 150);

    /// <summary>The output sizes.</summary>
    public static readonly int[] Sizes = [64, 128];

    public const string TrainSplit = "train", HeldOutSplit = "held-out", ManifestName = "split.csv";

    /// <summary>
    /// Prepares every image under <paramref name="source"/> into <paramref name="output"/> at <paramref name="size"/>
    /// px, holding out about <paramref name="heldOutFraction"/> of the identities (at least one when there are two or
    /// more), chosen by <paramref name="seed"/>.
    /// </summary>
    public static LfwPreparationResult Prepare(string source, int size, string output, double heldOutFraction = 0.1, long seed = 1,
        Action<int, int>? progress = null)
    {
        if (!Sizes.Contains(size)) throw new DataPreparationException("size", $"{size}: must be one of {string.Join(", ", Sizes)}");
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) throw new DataPreparationException("held-out fraction", $"{heldOutFraction}: must be in [0, 1)");
        if (!Directory.Exists(source)) throw new DataPreparationException(source, "source folder does not exist");
        if (File.Exists(output)) throw new DataPreparationException(output, "output is a file; give a folder");
        var identities = Directory.EnumerateDirectories(source).Select(d => Path.GetFileName(d)!)
            .Where(name => Directory.EnumerateFiles(Path.Combine(source, name), "*.jpg").Any()).Order(StringComparer.Ordinal).ToList();
        if (identities.Count == 0) throw new DataPreparationException(source, "no identity folders with .jpg images (expected LFW's layout NAME/NAME_0001.jpg)");
        var heldOut = HeldOutIdentities(identities, heldOutFraction, seed);
        var files = identities.SelectMany(id => Directory.EnumerateFiles(Path.Combine(source, id), "*.jpg")
            .Order(StringComparer.Ordinal).Select(f => (Identity: id, Path: f))).ToList();
        var entries = new List<LfwEntry>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var (id, path) = files[i];
            string split = heldOut.Contains(id) ? HeldOutSplit : TrainSplit;
            string relative = Path.Combine(split, id, Path.GetFileNameWithoutExtension(path) + ".png");
            string target = Path.Combine(output, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (var scope = NewDisposeScope())
                ImageIO.SavePng(target, Crop(ImageIO.Load(path), size, path));
            entries.Add(new LfwEntry(split, id, relative.Replace('\\', '/'), Path.GetRelativePath(source, path).Replace('\\', '/')));
            progress?.Invoke(i + 1, files.Count);
        }
        WriteManifest(Path.Combine(output, ManifestName), entries);
        return new LfwPreparationResult(size, seed, heldOutFraction, entries);
    }

    /// <summary>
    /// Cuts <see cref="CropBox"/> out of a (3, 250, 250) image in [-1, 1] and resizes it to <paramref name="size"/>:
    /// (1, S, S) when the three channels are equal (grey), else (3, S, S), in [-1, 1] on 8-bit levels.
    /// </summary>
    public static Tensor Crop(Tensor image, int size, string name = "image")
    {
        if (image.dim() != 3 || image.shape[0] != 3 || image.shape[1] != SourceSide || image.shape[2] != SourceSide)
            throw new DataPreparationException(name, $"expected a {SourceSide} x {SourceSide} LFW image, got {(image.dim() == 3 ? $"{image.shape[2]} x {image.shape[1]}" : $"shape [{string.Join(", ", image.shape)}]")}");
        using var scope = NewDisposeScope();
        var box = image.narrow(1, CropBox.Y, CropBox.Side).narrow(2, CropBox.X, CropBox.Side);
        var u8 = ImageIO.SquareBytes(box, size);
        bool grey = u8[0].eq(u8[1]).all().item<bool>() && u8[1].eq(u8[2]).all().item<bool>();
        var x = (grey ? u8.narrow(0, 0, 1) : u8).to(ScalarType.Float32) / 127.5 - 1;
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The held-out identities: ranked by a 64-bit hash of (seed, name), the first round(fraction x count) (at least
    /// one when the fraction is positive and there are two or more identities, never all).
    /// </summary>
    public static IReadOnlySet<string> HeldOutIdentities(IReadOnlyList<string> identities, double fraction, long seed)
    {
        int k = fraction <= 0 || identities.Count < 2 ? 0
            : Math.Clamp((int)Math.Round(fraction * identities.Count), 1, identities.Count - 1);
        return identities.OrderBy(id => Rank(id, seed)).ThenBy(id => id, StringComparer.Ordinal).Take(k).ToHashSet(StringComparer.Ordinal);
    }

    static ulong Rank(string name, long seed)
    {
        ulong h = 14695981039346656037UL ^ unchecked((ulong)seed * 0x9E3779B97F4A7C15UL);
        foreach (byte b in Encoding.UTF8.GetBytes(name)) h = unchecked((h ^ b) * 1099511628211UL);
        h ^= h >> 33; h = unchecked(h * 0xFF51AFD7ED558CCDUL); h ^= h >> 33; h = unchecked(h * 0xC4CEB9FE1A85EC53UL); h ^= h >> 33;
        return h;
    }

    static void WriteManifest(string path, IReadOnlyList<LfwEntry> entries)
    {
        var sb = new StringBuilder("split,identity,file,source\n");
        foreach (var e in entries) sb.Append(CultureInfo.InvariantCulture, $"{e.Split},{Csv(e.Identity)},{Csv(e.File)},{Csv(e.Source)}\n");
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(sb.ToString()));
    }

    static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
