using System.Globalization;
using System.Text;
using System.Text.Json;
using LiftedGan.Export;
using LiftedGan.Imaging;
using LiftedGan.IO;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Projection;

/// <summary>One reconstruction against the photo: what was compared, its L1 (images in [−1, 1]) and perceptual distance.</summary>
public sealed record PhotoError(string Name, string Description, double L1, double Perceptual);

/// <summary>What <see cref="PhotoLift.Run"/> did and measured (also written as report.json).</summary>
public sealed record PhotoLiftReport
{
    public required string Photo { get; init; }
    public required string Crop { get; init; }
    public required int Size { get; init; }
    public required string Space { get; init; }
    public required int Steps { get; init; }
    public required long Seed { get; init; }
    public required double LearningRate { get; init; }
    public required double PixelWeight { get; init; }
    public required string PixelDistance { get; init; }
    public required string PerceptualNetwork { get; init; }
    public required bool PerceptualIsSubstitute { get; init; }
    public required double FirstLoss { get; init; }
    public required double FinalLoss { get; init; }
    public required double Seconds { get; init; }
    /// <summary>The projection, what the lift got (W+ only), the mean-style baseline and the lifted render, against the photo.</summary>
    public required IReadOnlyList<PhotoError> Errors { get; init; }
    /// <summary>Files written, relative to the output folder.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>The error row named <paramref name="name"/>.</summary>
    public PhotoError this[string name] => Errors.First(e => e.Name == name);

    /// <summary>A short human-readable summary: the errors table and what the perceptual distance is.</summary>
    public IReadOnlyList<string> SummaryLines()
    {
        var lines = new List<string>
        {
            $"projected {Photo} ({Crop} crop, {Size} px) into the teacher: {Space}, {Steps} steps, seed {Seed}, loss {FirstLoss:F4} -> {FinalLoss:F4} ({Seconds:F1} s)",
            $"perceptual distance: {PerceptualNetwork}",
            "reconstruction against the photo         L1       perceptual",
        };
        foreach (var e in Errors)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {e.Description,-38} {e.L1,7:F4}  {e.Perceptual,9:F4}"));
        return lines;
    }
}

/// <summary>
/// Lifts a user's photo: cut it to the teacher's square (<see cref="PhotoInput"/>), project it into the teacher
/// (<see cref="StyleProjector"/>), then run the lift on the projected style (in W+, on the layer mean, the single w its
/// networks take) and write into a folder: the input crop, the teacher's image of the projection, the mean-style
/// image, the lifted render with its depth, normal, shading and albedo maps, a yaw rotation and a light sweep (GIF and
/// strip), the mesh (OBJ+MTL+PNG, PLY, GLB), the style as .npy, and report.json with the reconstruction errors of the
/// projection beside the trivial baselines.
/// </summary>
public static class PhotoLift
{
    /// <summary>Files always written (besides the optional snapshots and W+ extras), relative to the output folder.</summary>
    public static readonly IReadOnlyList<string> OutputFiles =
    [
        "input.png", "projection.png", "mean_style.png", "lifted.png", "depth.png", "normal.png", "shading.png", "albedo.png",
        "yaw.gif", "yaw_strip.png", "light.gif", "light_strip.png", "mesh.obj", "mesh.mtl", "mesh.png", "mesh.ply", "mesh.glb",
        "style.npy", "report.json",
    ];

    /// <summary>Error rows of the report.</summary>
    public const string Projection = "projection", LiftStyle = "lift_style", MeanStyle = "mean_style", Lifted = "lifted";

    /// <summary>The text the report gives for the random-feature substitute of VGG16.</summary>
    public const string SubstituteDescription =
        "random-feature substitute (VGG16 architecture, fixed-seed torchvision initialisation: no ImageNet VGG16 weights were given)";

    /// <summary>
    /// Runs the whole route on <paramref name="photoPath"/> with the lift of <paramref name="sampler"/> and writes into
    /// <paramref name="outDir"/> (created). <paramref name="perceptual"/> and its description come from the caller.
    /// </summary>
    public static PhotoLiftReport Run(LiftedSampler sampler, string photoPath, PhotoCrop crop, ProjectionSettings settings,
        PerceptualLoss perceptual, string perceptualDescription, bool perceptualIsSubstitute, string outDir,
        Action<ProjectionStep>? progress = null, int snapshotEvery = 0)
    {
        settings.Validate();
        if (snapshotEvery < 0) throw new ProjectionException("snapshot interval", $"{snapshotEvery}: must be 0 or more");
        SampleOutput.CheckFolder(outDir);
        using var photo = PhotoInput.Load(photoPath, sampler.ImageSize, crop);
        try { Directory.CreateDirectory(outDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProjectionException(outDir, $"cannot create the output folder ({e.Message})");
        }
        var files = new List<string>();
        void Png(string name, Tensor image) { ImageIO.SavePng(Path.Combine(outDir, name), image); files.Add(name); }
        Png("input.png", photo);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var projector = new StyleProjector(sampler.Model.Teacher, perceptual, settings);
        using var target = photo.unsqueeze(0);
        Action<int, Tensor>? snapshot = null;
        if (snapshotEvery > 0)
        {
            Directory.CreateDirectory(Path.Combine(outDir, "progress"));
            snapshot = (step, image) =>
            {
                using (image) Png(Path.Combine("progress", $"step_{step:D5}.png"), image[0]);
            };
        }
        using var result = projector.Project(target, progress, snapshotEvery, snapshot);
        double seconds = clock.Elapsed.TotalSeconds;

        using var maps = sampler.MapsOfStyles(result.Style);
        var errors = new List<PhotoError>();
        void Row(string name, string description, Tensor image)
        {
            var e = projector.Error(image, target);
            errors.Add(new PhotoError(name, description, e.MeanL1, e.MeanPerceptual));
        }
        bool plus = settings.Space == LatentSpace.WPlus;
        Row(Projection, plus ? "projection G(W+)" : "projection G(w)", result.Image);
        if (plus) Row(LiftStyle, "G(layer-mean w), what the lift gets", result.StyleImage);
        Row(MeanStyle, "mean style G(w_avg) (baseline)", result.MeanImage);
        Row(Lifted, "lifted render (its view and light)", maps.Render);

        Png("projection.png", result.Image[0]);
        if (plus) Png("lift_style.png", result.StyleImage[0]);
        Png("mean_style.png", result.MeanImage[0]);
        foreach (var (name, image) in maps.All.Where(m => m.Name != "teacher"))
            Png(name + ".png", image[0]);

        using (var yaw = sampler.PoseSweepOfStyles(result.Style, PoseAxis.Yaw))
            Sweep(outDir, "yaw", yaw[0], pingPong: true, files);
        var (light, shading) = sampler.LightSweepOfStyles(result.Style);
        using (light)
        using (shading)
            Sweep(outDir, "light", light[0], pingPong: true, files);

        var mesh = SampleOutput.MeshesOfStyles(sampler, result.Style).Single();
        var (obj, mtl, png) = ObjWriter.Save(Path.Combine(outDir, "mesh.obj"), mesh);
        files.AddRange(new[] { obj, mtl, png }.Select(f => Path.GetRelativePath(outDir, f)));
        PlyWriter.Save(Path.Combine(outDir, "mesh.ply"), mesh);
        GltfWriter.Save(Path.Combine(outDir, "mesh.glb"), mesh);
        files.AddRange(["mesh.ply", "mesh.glb"]);

        Npy.Save(Path.Combine(outDir, "style.npy"), result.Style);
        files.Add("style.npy");
        if (plus)
        {
            Npy.Save(Path.Combine(outDir, "latent_wplus.npy"), result.Latent);
            files.Add("latent_wplus.npy");
        }
        files.Add("report.json");
        var report = new PhotoLiftReport
        {
            Photo = photoPath, Crop = crop == PhotoCrop.Lfw ? "lfw" : "centre", Size = sampler.ImageSize,
            Space = plus ? "wplus" : "w", Steps = settings.Steps, Seed = settings.Seed, LearningRate = settings.LearningRate,
            PixelWeight = settings.PixelWeight, PixelDistance = settings.Pixel == PixelDistance.L1 ? "l1" : "mse",
            PerceptualNetwork = perceptualDescription, PerceptualIsSubstitute = perceptualIsSubstitute,
            FirstLoss = result.Losses[0], FinalLoss = result.Losses[^1], Seconds = seconds, Errors = errors, Files = files,
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        AtomicFile.WriteAllBytes(Path.Combine(outDir, "report.json"), Encoding.UTF8.GetBytes(json + "\n"));
        return report;
    }

    /// <summary>A sweep T×3×S×S as NAME.gif (there and back when <paramref name="pingPong"/>) and NAME_strip.png.</summary>
    static void Sweep(string outDir, string name, Tensor frames, bool pingPong, List<string> files)
    {
        int t = (int)frames.shape[0];
        var order = Enumerable.Range(0, t).ToList();
        if (pingPong) order.AddRange(Enumerable.Range(1, Math.Max(0, t - 2)).Select(i => t - 1 - i));
        var list = order.Select(i => frames[i]).ToList();
        try { GifWriter.Save(Path.Combine(outDir, name + ".gif"), list); }
        finally { list.ForEach(f => f.Dispose()); }
        using (var strip = ImageGrid.Make(frames, columns: t))
            ImageIO.SavePng(Path.Combine(outDir, name + "_strip.png"), strip);
        files.AddRange([name + ".gif", name + "_strip.png"]);
    }
}
