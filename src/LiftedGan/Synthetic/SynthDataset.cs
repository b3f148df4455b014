using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LiftedGan.Imaging;
using LiftedGan.IO;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>What one `synth` run did.</summary>
public sealed record SynthReport(int Written, int Skipped, double Seconds)
{
    public double ImagesPerSecond => Written / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Writes a synthetic face dataset to a folder (layout in docs/synthetic-world.md): world.json (settings, parameter
/// table, file layout), image/NNNNNN.png, one folder of .npy maps per ground-truth kind, index.csv and the arrays
/// params.npy, view.npy, raw_view.npy, light.npy, identity.npy. Every file is written atomically and depends only on
/// (seed, index, settings), so the same seed gives the same bytes and an interrupted run continues where it stopped:
/// an image counts as done when its PNG (written last) and all its maps exist.
/// </summary>
public static class SynthDataset
{
    /// <summary>Format tag in world.json.</summary>
    public const string Format = "liftedgan-synth/1";

    /// <summary>A ground-truth map kind: folder name, what it holds, and how to take it from a batch.</summary>
    public sealed record MapKind(string Folder, string Description, Func<FaceBatch, int, Tensor> Select);

    /// <summary>All map kinds, in file-layout order.</summary>
    public static readonly IReadOnlyList<MapKind> Kinds = new MapKind[]
    {
        new("depth", "canonical (frontal) depth, S x S float32, 0.9..1.1, background plane 1.05", (b, i) => b.CanonicalDepth[i]),
        new("albedo", "canonical albedo, 3 x S x S float32 in [-1, 1]", (b, i) => b.Albedo[i]),
        new("mask", "canonical foreground (head, hair, neck), S x S float32 in [0, 1]", (b, i) => b.Mask[i]),
        new("transform", "LiftedGAN transformation map T, S x S float32 in [0, 1] (1: moves with the head)", (b, i) => b.TransformMap[i, 0]),
        new("recon_depth", "rendered view-space depth of the image, S x S float32", (b, i) => b.RenderedDepth[i]),
        new("recon_mask", "foreground as seen in the image, S x S float32 in [0, 1]", (b, i) => b.RenderedMask[i]),
        new("normal", "renderer normals of the rendered depth, S x S x 3 float32 (pointing into the scene)", (b, i) => b.Normals[i]),
    };

    /// <summary>The map kinds written for a ground-truth level.</summary>
    public static IReadOnlyList<MapKind> KindsFor(SynthGroundTruth level) => level switch
    {
        SynthGroundTruth.Full => Kinds,
        SynthGroundTruth.Depth => Kinds.Where(k => k.Folder is "depth" or "recon_depth" or "recon_mask").ToList(),
        _ => Array.Empty<MapKind>(),
    };

    /// <summary>File stem of image <paramref name="index"/>.</summary>
    public static string Stem(long index) => index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Writes (or continues) the dataset described by <paramref name="options"/>; <paramref name="progress"/> gets one line per batch.</summary>
    public static SynthReport Write(SynthOptions options, Action<string>? progress = null)
    {
        options.Validate();
        TorchRuntime.EnsureLoaded();
        string root = Path.GetFullPath(options.Output);
        PrepareFolder(root, options);
        var kinds = KindsFor(options.GroundTruth);
        var pending = Enumerable.Range(0, options.Count).Where(i => !IsDone(root, i, kinds)).ToList();
        int skipped = options.Count - pending.Count;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < pending.Count; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var indices = pending.Skip(start).Take(options.BatchSize).ToList();
            var draws = indices.Select(i => FaceDraw.Create(options.Seed, i, options.PerIdentity, options.Symmetric)).ToList();
            using (var batch = FaceWorld.Render(draws, options.Size))
            {
                for (int j = 0; j < draws.Count; j++)
                {
                    string stem = Stem(indices[j]);
                    foreach (var kind in kinds) Npy.Save(Path.Combine(root, kind.Folder, stem + ".npy"), kind.Select(batch, j));
                    ImageIO.SavePng(Path.Combine(root, "image", stem + ".png"), batch.Images[j]);
                }
            }
            draws.ForEach(d => d.Dispose());
            int done = start + indices.Count;
            progress?.Invoke($"synth: {skipped + done}/{options.Count} images ({done / clock.Elapsed.TotalSeconds:F1} images/s)");
        }
        WriteIndex(root, options);
        return new SynthReport(pending.Count, skipped, clock.Elapsed.TotalSeconds);
    }

    static bool IsDone(string root, int index, IReadOnlyList<MapKind> kinds)
    {
        string stem = Stem(index);
        return File.Exists(Path.Combine(root, "image", stem + ".png"))
               && kinds.All(k => File.Exists(Path.Combine(root, k.Folder, stem + ".npy")));
    }

    /// <summary>Creates the folders, checks they are writable, and writes world.json or checks it matches.</summary>
    static void PrepareFolder(string root, SynthOptions options)
    {
        string worldPath = Path.Combine(root, "world.json");
        try
        {
            if (File.Exists(root)) throw new SyntheticWorldException(options.Output, "is a file, not a folder");
            Directory.CreateDirectory(root);
            foreach (var folder in KindsFor(options.GroundTruth).Select(k => k.Folder).Prepend("image"))
                Directory.CreateDirectory(Path.Combine(root, folder));
            string probe = Path.Combine(root, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SyntheticWorldException(options.Output, $"cannot write there ({e.Message})");
        }
        string settings = SettingsJson(options);
        if (File.Exists(worldPath))
        {
            using var existing = JsonDocument.Parse(File.ReadAllBytes(worldPath));
            using var wanted = JsonDocument.Parse(settings);
            var have = existing.RootElement.TryGetProperty("settings", out var s) ? Describe(s) : "none";
            var want = Describe(wanted.RootElement.GetProperty("settings"));
            if (have != want)
                throw new SyntheticWorldException(options.Output,
                    $"holds a dataset made with other settings ({have}; asked for {want}); use a new folder or the same settings");
        }
        AtomicFile.WriteAllBytes(worldPath, Encoding.UTF8.GetBytes(settings));
    }

    static string Describe(JsonElement settings) =>
        settings.ValueKind != JsonValueKind.Object ? "none"
            : string.Join(", ", settings.EnumerateObject().Select(p => $"{p.Name} {p.Value}"));

    /// <summary>world.json: format, settings (which must match to continue), count, renderer, parameter table, files.</summary>
    static string SettingsJson(SynthOptions o)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteStartObject("settings");
            w.WriteNumber("seed", o.Seed);
            w.WriteNumber("size", o.Size);
            w.WriteNumber("per_identity", o.PerIdentity);
            w.WriteString("ground_truth", o.GroundTruth.ToString().ToLowerInvariant());
            w.WriteBoolean("symmetric", o.Symmetric);
            w.WriteEndObject();
            w.WriteNumber("count", o.Count);
            w.WriteStartObject("renderer");
            var r = FaceWorld.Renderer(o.Size).Options;
            w.WriteNumber("image_size", r.ImageSize);
            w.WriteNumber("fov_degrees", r.FieldOfViewDegrees);
            w.WriteNumber("min_depth", r.MinDepth);
            w.WriteNumber("max_depth", r.MaxDepth);
            w.WriteNumber("rotation_center_depth", r.CenterDepth);
            w.WriteNumber("background_plane_depth", FaceModel.BackgroundDepth);
            w.WriteEndObject();
            w.WriteStartArray("parameters");
            foreach (var p in FaceParameters.All)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("group", p.Group.ToString().ToLowerInvariant());
                w.WriteNumber("min", p.Min);
                w.WriteNumber("max", p.Max);
                w.WriteString("description", p.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("files");
            w.WriteString("image", "image/NNNNNN.png: rendered image, 8-bit RGB (value v in [-1, 1] stored as round((v + 1) * 127.5))");
            foreach (var k in KindsFor(o.GroundTruth)) w.WriteString(k.Folder, $"{k.Folder}/NNNNNN.npy: {k.Description}");
            w.WriteString("index.csv", "one row per image: index, identity, image file, every parameter, view (radians, world units), raw view, raw light");
            w.WriteString("params.npy", "N x P float32, columns in the order of 'parameters'");
            w.WriteString("view.npy", "N x 6 float32: pitch, yaw, roll (radians), tx, ty, tz (world units)");
            w.WriteString("raw_view.npy", "N x 6 float32: the view in LiftedGAN's tanh range (rotations / 60 degrees, tx, ty / 0.1, tz / 0.01)");
            w.WriteString("light.npy", "N x 4 float32: raw light (2 ambient - 1, 2 diffuse - 1, direction x, direction y)");
            w.WriteString("identity.npy", "N int64: identity index (index / per_identity)");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes index.csv and the parameter arrays for all images (re-drawn from the seed; cheap).</summary>
    static void WriteIndex(string root, SynthOptions o)
    {
        int n = o.Count, p = FaceParameters.Count;
        var rows = new float[n * p];
        var views = new float[n * 6];
        var lights = new float[n * 4];
        var identities = new long[n];
        for (int i = 0; i < n; i++)
        {
            using var d = FaceDraw.Create(o.Seed, i, o.PerIdentity, o.Symmetric);
            d.Parameters.CopyTo(rows, i * p);
            d.View.CopyTo(views, i * 6);
            d.RawLight.CopyTo(lights, i * 4);
            identities[i] = d.Identity;
        }
        using var scope = NewDisposeScope();
        var view = tensor(views).view(n, 6);
        var rawView = FaceWorld.ToRawView(view);
        var rawViews = rawView.data<float>().ToArray();
        Npy.Save(Path.Combine(root, "params.npy"), tensor(rows).view(n, p));
        Npy.Save(Path.Combine(root, "view.npy"), view);
        Npy.Save(Path.Combine(root, "raw_view.npy"), rawView);
        Npy.Save(Path.Combine(root, "light.npy"), tensor(lights).view(n, 4));
        Npy.Save(Path.Combine(root, "identity.npy"), tensor(identities));

        var csv = new StringBuilder();
        csv.Append("index,identity,image,").Append(string.Join(",", FaceParameters.All.Select(q => q.Name)));
        for (int k = 0; k < 6; k++) csv.Append(",view_").Append(k);
        for (int k = 0; k < 6; k++) csv.Append(",raw_view_").Append(k);
        for (int k = 0; k < 4; k++) csv.Append(",light_").Append(k);
        csv.Append('\n');
        string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        for (int i = 0; i < n; i++)
        {
            csv.Append(i).Append(',').Append(identities[i]).Append(",image/").Append(Stem(i)).Append(".png");
            for (int k = 0; k < p; k++) csv.Append(',').Append(F(rows[i * p + k]));
            for (int k = 0; k < 6; k++) csv.Append(',').Append(F(views[i * 6 + k]));
            for (int k = 0; k < 6; k++) csv.Append(',').Append(F(rawViews[i * 6 + k]));
            for (int k = 0; k < 4; k++) csv.Append(',').Append(F(lights[i * 4 + k]));
            csv.Append('\n');
        }
        AtomicFile.WriteAllBytes(Path.Combine(root, "index.csv"), Encoding.UTF8.GetBytes(csv.ToString()));
    }
}
