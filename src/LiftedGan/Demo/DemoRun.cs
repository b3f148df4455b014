using System.Globalization;
using LiftedGan.Export;
using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.Viewer;

namespace LiftedGan.Demo;

/// <summary>
/// The pieces of `liftedgan demo` around <see cref="DemoGallery"/>, <see cref="DemoLift"/> and <see cref="DemoPage"/>:
/// the results folder and the page's facts (what to run next is the command line's, which passes it in).
/// </summary>
public static class DemoRun
{
    /// <summary>Results folder when none is given.</summary>
    public const string DefaultFolder = "liftedgan-demo";

    /// <summary>Faces on the page (the first two also get sweeps, meshes and the interpolation).</summary>
    public const int Faces = 8;

    /// <summary>Folder of the static 3D viewer inside the results folder.</summary>
    public const string ViewerFolder = "viewer";

    /// <summary>Faces the static 3D viewer holds (seeds seed … seed + ViewerFaces − 1).</summary>
    public const int ViewerFaces = 3;

    /// <summary>Creates the results folder (refusing a path that is a file).</summary>
    public static void PrepareFolder(string outDir)
    {
        SampleOutput.CheckFolder(outDir);
        try { Directory.CreateDirectory(outDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DemoException(outDir, $"cannot create the results folder ({e.Message})");
        }
    }

    /// <summary>
    /// Writes the static 3D viewer (<see cref="ViewerSite"/>) of the faces of seeds <paramref name="seed"/> onwards into
    /// <see cref="ViewerFolder"/> and returns the page section that links to it.
    /// </summary>
    public static DemoSection WriteViewer(LiftedSampler sampler, long seed, double truncation, string outDir)
    {
        var seeds = Enumerable.Range(0, ViewerFaces).Select(i => seed + i).ToList();
        ViewerSite.WriteStatic(sampler, seeds, truncation, Path.Combine(outDir, ViewerFolder));
        string last = (seed + ViewerFaces - 1).ToString(CultureInfo.InvariantCulture);
        return new DemoSection(ViewerFolder, "3D viewer",
            $"The lifted faces of seeds {seed}–{last} (one latent each, the faces the served viewer shows for those seeds) as textured meshes to orbit with the mouse, turn and relight with sliders, and download as GLB, OBJ or PLY. The page runs in the browser from disk (WebGL, three.js bundled beside it); the `view` command serves any seed.",
            new[] { DemoItem.Link($"{ViewerFolder}/{ViewerSite.PageFileName}", "the 3D viewer page") });
    }

    /// <summary>The facts list at the top of the page.</summary>
    public static IReadOnlyList<(string Name, string Value)> Facts(ShippedModels models, long seed, double truncation, double gallerySeconds, DemoLiftResult lift, int threads)
    {
        string Size(string path) => File.Exists(path) ? string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)} ({new FileInfo(path).Length / 1e6:F1} MB)") : Path.GetFileName(path);
        return new (string, string)[]
        {
            ("teacher", Size(models.StyleGan) + " — StyleGAN2 fitted to the procedural face world (exact 3D truth per latent)"),
            ("lift", Size(models.Lift) + " — LiftedGAN synth_64"),
            ("identity embedding", Size(models.Identity) + " — used by the short lift's identity loss"),
            ("real faces", models.HasRealFaces ? $"{Size(models.RealStyleGan)} — StyleGAN2 trained on LFW photographs; {Size(models.RealLift)} — its lift" : "not in the models folder"),
            ("seed", seed.ToString(CultureInfo.InvariantCulture)),
            ("truncation ψ", truncation.ToString(CultureInfo.InvariantCulture)),
            ("wall time", string.Create(CultureInfo.InvariantCulture, $"{gallerySeconds:F0} s for the results, {lift.Seconds:F0} s for the {lift.Steps}-step lift")),
            ("machine", string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} logical cores, {threads} torch threads, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}")),
        };
    }
}
