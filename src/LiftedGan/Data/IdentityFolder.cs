using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Data;

/// <summary>
/// Face photos grouped by person: one subfolder per identity (the layout `data lfw` writes under train/ and held-out/),
/// read into memory as uint8 squares of one size. Identities with fewer than the minimum number of images are left
/// out (a class with one image teaches a metric nothing and has no same-identity pair to verify).
/// </summary>
public sealed class IdentityFolder : IDisposable
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    IdentityFolder(Tensor images, Tensor labels, IReadOnlyList<string> identities, IReadOnlyList<string> files)
    {
        Images = images;
        Labels = labels;
        Identities = identities;
        Files = files;
    }

    /// <summary>(N, 3, S, S) uint8 pixels (grey photos as three equal channels).</summary>
    public Tensor Images { get; }

    /// <summary>(N) int64 index into <see cref="Identities"/>.</summary>
    public Tensor Labels { get; }

    /// <summary>The identities kept (subfolder names), in ordinal order.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>Each image's file, in the order of <see cref="Images"/>.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>(N, 3, S, S) float images in [−1, 1] of the given rows (all when null).</summary>
    public Tensor Float(Tensor? rows = null)
    {
        using var scope = NewDisposeScope();
        var x = rows is null ? Images : Images.index_select(0, rows);
        return (x.to(ScalarType.Float32) / 127.5 - 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Reads every PNG/JPEG of every identity subfolder of <paramref name="folder"/> (ordinal order), resized so the
    /// shorter side is <paramref name="size"/> and centre-cropped; keeps identities with at least
    /// <paramref name="minImages"/> images. A missing folder, no identity with enough images, or an unreadable image is
    /// an error naming it.
    /// </summary>
    public static IdentityFolder Load(string folder, int size, int minImages = 2)
    {
        if (!Directory.Exists(folder)) throw new DataPreparationException(folder, "identity folder does not exist");
        if (minImages < 1) throw new DataPreparationException("minimum images per identity", $"{minImages}: must be at least 1");
        var groups = Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal)
            .Select(d => (Identity: Path.GetFileName(d)!, Files: Directory.EnumerateFiles(d)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList()))
            .Where(g => g.Files.Count >= minImages).ToList();
        if (groups.Count < 2)
            throw new DataPreparationException(folder, $"{groups.Count} identity subfolders with at least {minImages} images; need 2 (expected IDENTITY/IMAGE.png, as `data lfw` writes)");
        var images = new List<Tensor>();
        var labels = new List<long>();
        var files = new List<string>();
        try
        {
            for (int i = 0; i < groups.Count; i++)
                foreach (var f in groups[i].Files)
                {
                    using (var image = ImageIO.Load(f)) images.Add(ImageIO.SquareBytes(image, size));
                    labels.Add(i);
                    files.Add(f);
                }
            return new IdentityFolder(stack(images), tensor(labels.ToArray()), groups.Select(g => g.Identity).ToList(), files);
        }
        finally { images.ForEach(t => t.Dispose()); }
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
