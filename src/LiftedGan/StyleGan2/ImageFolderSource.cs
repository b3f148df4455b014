using LiftedGan.Data;
using LiftedGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// Every PNG/JPEG under a folder (recursively), decoded once, resized so the shorter side is S (antialiased bilinear),
/// centre-cropped to S x S and kept in memory as 8-bit (N·3·S² bytes). Batches are drawn with replacement, uniformly or
/// in proportion to per-file weights (<see cref="SampleWeights"/>), and flipped horizontally with probability 1/2.
/// </summary>
public sealed class ImageFolderSource : IImageSource, IDisposable
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    readonly Tensor _images;
    readonly Tensor? _weights;

    /// <summary>
    /// Reads <paramref name="folder"/>. With <paramref name="weights"/> (file relative to the folder with '/', weight)
    /// images are drawn in proportion to their weight; every image must have one and every weight an image.
    /// </summary>
    public ImageFolderSource(string folder, int resolution, bool flip = true, IReadOnlyDictionary<string, double>? weights = null, string? weightsName = null)
    {
        if (!Directory.Exists(folder)) throw new StyleGanException($"{folder}: dataset folder does not exist");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new StyleGanException($"{folder}: dataset folder holds no PNG or JPEG images");
        Resolution = resolution;
        Folder = folder;
        Flip = flip;
        Files = files;
        if (weights is not null)
        {
            string name = weightsName ?? "sample weights";
            var relative = files.Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')).ToList();
            if (relative.FirstOrDefault(f => !weights.ContainsKey(f)) is { } missing)
                throw new DataPreparationException(name, $"{missing} (in {folder}) has no weight: the weights were made for another folder");
            var known = relative.ToHashSet(StringComparer.Ordinal);
            if (weights.Keys.FirstOrDefault(k => !known.Contains(k)) is { } extra)
                throw new DataPreparationException(name, $"{extra} is not an image of {folder}: the weights were made for another folder");
            var values = relative.Select(f => weights[f]).ToArray();
            if (!values.Any(v => v > 0)) throw new DataPreparationException(name, "no image has a positive weight");
            _weights = tensor(values, ScalarType.Float64);
            WeightsName = name;
        }
        using var scope = NewDisposeScope();
        var all = files.Select(f => ImageIO.SquareBytes(ImageIO.Load(f), resolution)).ToList();
        _images = stack(all).MoveToOuterDisposeScope();
    }

    /// <summary>The image files, in the order they are indexed.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Whether batches are randomly mirrored.</summary>
    public bool Flip { get; }

    public int Resolution { get; }

    int? IImageSource.Resolution => Resolution;

    /// <summary>The folder and its file count (a sampled stream, so not a cache key of exact images).</summary>
    public string Describe() => $"folder:{Folder} ({Files.Count} files, sampled with replacement{(_weights is null ? "" : $", weighted by {WeightsName}")}{(Flip ? ", flipped" : "")})";

    /// <summary>Where the sampling weights came from; null when images are drawn uniformly.</summary>
    public string? WeightsName { get; }

    /// <summary>The folder the images were read from.</summary>
    public string Folder { get; }

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        var idx = _weights is null ? randint(0, _images.shape[0], [n], generator: g) : multinomial(_weights, n, replacement: true, generator: g);
        var x = _images.index_select(0, idx).to(ScalarType.Float32) / 127.5 - 1;
        if (Flip)
        {
            var mirror = (rand([n, 1, 1, 1], generator: g) < 0.5);
            x = where(mirror, x.flip(3), x);
        }
        return x.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _images.Dispose();
        _weights?.Dispose();
    }
}
