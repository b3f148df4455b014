using System.Globalization;
using System.Text;
using LiftedGan.IO;
using LiftedGan.Lifting;

namespace LiftedGan.Viewer;

/// <summary>
/// The viewer's site folder: the page (<c>index.html</c>, <c>viewer.js</c>, <c>viewer.css</c>, embedded in the library),
/// the vendored three.js bundle with its licence, <c>config.js</c> saying the mode, and <c>faces/seed-N/</c> per
/// face. Every reference is relative, so the same page runs opened from disk (static mode: the faces exported
/// beforehand) and served by `liftedgan view` (server mode: faces made on demand through <see cref="ViewerSession"/>).
/// </summary>
public static class ViewerSite
{
    /// <summary>The page's file name.</summary>
    public const string PageFileName = "index.html";

    /// <summary>The script that tells the page its mode and faces.</summary>
    public const string ConfigFileName = "config.js";

    /// <summary>The files every site holds, as embedded in the library (resource name = file name).</summary>
    public static IReadOnlyList<string> AssetFiles { get; } = new[] { PageFileName, "viewer.js", "viewer.css", "three-viewer.min.js", "LICENSE-three.txt" };

    /// <summary>
    /// Writes a static viewer of the faces of <paramref name="seeds"/> into <paramref name="siteDir"/> (created when
    /// missing) and returns the page's path; the page needs no server and no network.
    /// </summary>
    public static string WriteStatic(LiftedSampler sampler, IReadOnlyList<long> seeds, double truncation, string siteDir, Action<string>? log = null)
    {
        if (seeds.Count == 0) throw new ViewerException("seeds", "none given");
        foreach (long seed in seeds) ViewerFaces.CheckSeed(seed);
        WriteAssets(siteDir);
        var faces = new List<ViewerFace>();
        foreach (long seed in seeds.Distinct())
        {
            log?.Invoke($"face of seed {seed.ToString(CultureInfo.InvariantCulture)}");
            faces.Add(ViewerFaces.Export(sampler, seed, truncation, siteDir));
        }
        WriteConfig(siteDir, $"{{\"mode\":\"static\",\"faces\":{ViewerFace.ToJson(faces)}}}");
        return Path.Combine(siteDir, PageFileName);
    }

    /// <summary>Writes the page's files into <paramref name="siteDir"/> (created when missing), without <see cref="ConfigFileName"/>.</summary>
    public static void WriteAssets(string siteDir)
    {
        CreateFolder(siteDir);
        var assembly = typeof(ViewerSite).Assembly;
        foreach (string file in AssetFiles)
        {
            using var resource = assembly.GetManifestResourceStream(ResourcePrefix + file)
                ?? throw new InvalidOperationException($"viewer asset {file} is not embedded in {assembly.GetName().Name}");
            using var copy = new MemoryStream();
            resource.CopyTo(copy);
            AtomicFile.WriteAllBytes(Path.Combine(siteDir, file), copy.ToArray());
        }
    }

    /// <summary>Writes the server mode's <see cref="ConfigFileName"/>: the page asks the server for faces, starting at <paramref name="firstSeed"/>.</summary>
    public static void WriteServerConfig(string siteDir, long firstSeed)
    {
        ViewerFaces.CheckSeed(firstSeed);
        WriteConfig(siteDir, $"{{\"mode\":\"server\",\"seed\":{firstSeed.ToString(CultureInfo.InvariantCulture)},\"faces\":[]}}");
    }

    /// <summary>Creates a folder of the site, refusing a path that is a file.</summary>
    internal static void CreateFolder(string dir)
    {
        if (File.Exists(dir)) throw new ViewerException(dir, "is a file, not a folder");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViewerException(dir, $"cannot create the folder ({e.Message})");
        }
    }

    const string ResourcePrefix = "LiftedGan.Viewer.";

    static void WriteConfig(string siteDir, string json) =>
        AtomicFile.WriteAllBytes(Path.Combine(siteDir, ConfigFileName), Encoding.UTF8.GetBytes($"window.LIFTEDGAN_VIEWER = {json};\n"));
}
