using LiftedGan.Lifting;

namespace LiftedGan.Viewer;

/// <summary>
/// The server mode's faces: a site folder with the page (server <c>config.js</c>) and every face asked for, made on
/// demand one at a time (the sampler is not thread-safe) and kept by seed. The host serves the folder as static files
/// and answers face requests with <see cref="Face"/>. The caller owns the sampler and the folder.
/// </summary>
public sealed class ViewerSession
{
    readonly LiftedSampler sampler;
    readonly double truncation;
    readonly Dictionary<long, ViewerFace> faces = new();
    readonly Lock gate = new();

    /// <summary>Writes the page into <paramref name="siteDir"/> for faces from <paramref name="firstSeed"/> on.</summary>
    public ViewerSession(LiftedSampler sampler, double truncation, long firstSeed, string siteDir)
    {
        this.sampler = sampler;
        this.truncation = truncation;
        SiteFolder = siteDir;
        FirstSeed = firstSeed;
        ViewerSite.WriteAssets(siteDir);
        ViewerSite.WriteServerConfig(siteDir, firstSeed);
    }

    /// <summary>The folder the host serves.</summary>
    public string SiteFolder { get; }

    /// <summary>The face the page shows first.</summary>
    public long FirstSeed { get; }

    /// <summary>The face of <paramref name="seed"/>, exported into the site folder on first use.</summary>
    public ViewerFace Face(long seed)
    {
        ViewerFaces.CheckSeed(seed);
        lock (gate)
        {
            if (!faces.TryGetValue(seed, out var face)) faces[seed] = face = ViewerFaces.Export(sampler, seed, truncation, SiteFolder);
            return face;
        }
    }
}
