using System.Security.Cryptography;
using System.Text;
using LiftedGan.Data;
using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// PNG/JPEG files of a folder (recursively, ordinal path order), read in order and mapped to [-1, 1] as
/// test_fid.py does (pixel/127.5 − 1, no crop, no flip). Images are decoded a batch at a time; a batch of
/// mixed sizes is resized to 299 image by image so it can be stacked.
/// </summary>
public sealed class FolderEvalSource : IImageSource
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    readonly IReadOnlyList<string> files;
    readonly string digest;
    int position;

    public FolderEvalSource(string folder)
    {
        if (!Directory.Exists(folder)) throw new EvaluationException(folder, "image folder does not exist");
        Folder = Path.GetFullPath(folder);
        files = Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new EvaluationException(folder, "image folder holds no PNG or JPEG images");
        using (var first = ImageIO.Load(files[0])) Resolution = first.shape[1] == first.shape[2] ? (int)first.shape[1] : null;
        var listing = new StringBuilder();
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            listing.Append(Path.GetRelativePath(Folder, f)).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())))[..16];
    }

    public string Folder { get; }

    public string Describe() => $"folder:{Folder} ({files.Count} files, listing {digest})";

    public int? Resolution { get; }

    public long? Available => files.Count;

    public bool IsRandom => false;

    /// <summary>The next files in order (generator unused); throws when the folder is exhausted.</summary>
    public Tensor Next(int n, Generator g)
    {
        if (position + n > files.Count) throw new EvaluationException(Folder, $"asked for image {position + n}, the folder holds {files.Count}");
        using var scope = NewDisposeScope();
        var images = files.Skip(position).Take(n).Select(ImageIO.Load).ToList();
        position += n;
        bool sameSize = images.All(i => i.shape[1] == images[0].shape[1] && i.shape[2] == images[0].shape[2]);
        var batch = sameSize
            ? stack(images)
            : cat(images.Select(i => nn.functional.interpolate(i.unsqueeze(0),
                [InceptionV3Features.InputSize, InceptionV3Features.InputSize], mode: InterpolationMode.Bilinear, align_corners: false)).ToList());
        return batch.MoveToOuterDisposeScope();
    }
}
