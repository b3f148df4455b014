using System.Security.Cryptography;
using System.Text;
using LiftedGan.Data;
using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// PNG/JPEG files of a folder, read in order and mapped to [-1, 1] as test_fid.py does (pixel/127.5 − 1, no crop, no
/// flip). Which files: those matching a glob when one is given (on the path relative to the folder, `*` and `?`,
/// `**/` for any subfolders); else those listed in the folder's <c>manifest.txt</c> when it has one (the sample
/// commands write it, naming only the generated images, not their maps, grids or sheets); else every PNG/JPEG file
/// below it. Files in ordinal path order. Images are decoded a batch at a time; a batch of mixed sizes is resized to
/// 299 image by image so it can be stacked.
/// </summary>
public sealed class FolderEvalSource : IImageSource
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    readonly IReadOnlyList<string> files;
    readonly string digest;
    int position;

    /// <summary>The file a folder of generated images lists its images in, one path relative to the folder per line.</summary>
    public const string ManifestName = "manifest.txt";

    public FolderEvalSource(string folder, string? glob = null)
    {
        if (!Directory.Exists(folder)) throw new EvaluationException(folder, "image folder does not exist");
        Folder = Path.GetFullPath(folder);
        string manifest = Path.Combine(Folder, ManifestName);
        IEnumerable<string> candidates;
        if (glob is not null)
        {
            var pattern = GlobPattern(glob);
            candidates = Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
                .Where(f => pattern.IsMatch(Path.GetRelativePath(Folder, f).Replace('\\', '/')));
            Selection = $"glob {glob}";
        }
        else if (File.Exists(manifest))
        {
            var listed = File.ReadAllLines(manifest).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            foreach (var entry in listed)
            {
                string full = Path.GetFullPath(Path.Combine(Folder, entry));
                if (!full.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new EvaluationException(manifest, $"'{entry}' is outside the folder");
                if (!File.Exists(full)) throw new EvaluationException(manifest, $"lists '{entry}', which does not exist");
            }
            candidates = listed.Select(e => Path.GetFullPath(Path.Combine(Folder, e)));
            Selection = ManifestName;
        }
        else
        {
            candidates = Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories);
            Selection = "all images";
        }
        files = candidates.Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new EvaluationException(folder, glob is null ? "image folder holds no PNG or JPEG images" : $"no PNG or JPEG image matches the glob {glob}");
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

    /// <summary>How the files were chosen: "glob PATTERN", "manifest.txt" or "all images".</summary>
    public string Selection { get; }

    public string Describe() => $"folder:{Folder} ({files.Count} files by {Selection}, listing {digest})";

    /// <summary>A glob on '/'-separated relative paths as a regex: `**/` any folders (or none), `*` within a name, `?` one character.</summary>
    static System.Text.RegularExpressions.Regex GlobPattern(string glob)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 2 < glob.Length && glob[i + 1] == '*' && glob[i + 2] == '/') { sb.Append("(?:.*/)?"); i += 2; }
            else if (glob[i] == '*') sb.Append("[^/]*");
            else if (glob[i] == '?') sb.Append("[^/]");
            else sb.Append(System.Text.RegularExpressions.Regex.Escape(glob[i].ToString()));
        }
        return new System.Text.RegularExpressions.Regex(sb.Append('$').ToString(), System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }

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
