using LiftedGan.IO;
using LiftedGan.Imaging;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Export;

/// <summary>
/// The output layer of controlled generation: writes what <see cref="LiftedSampler"/> returns as tensors to a folder
/// (what the CLI commands and the demo save): the latents used, per-sample PNGs, sweeps as GIF plus PNG strip,
/// meshes. Samples are numbered from 1 as in the official tools.
/// </summary>
public static class SampleOutput
{
    /// <summary>File name of the latents every command saves.</summary>
    public const string LatentsFileName = "latents.npy";

    /// <summary>Refuses an output path that is a file (cheap; call it before loading models).</summary>
    public static void CheckFolder(string outDir)
    {
        if (File.Exists(outDir)) throw new SamplingException(outDir, "output path is a file, not a folder");
    }

    /// <summary>Creates the output folder (refusing a path that is a file) and saves the latents z into it.</summary>
    public static void Prepare(string outDir, Tensor z)
    {
        CheckFolder(outDir);
        try { Directory.CreateDirectory(outDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SamplingException(outDir, $"cannot create the output folder ({e.Message})");
        }
        Npy.Save(Path.Combine(outDir, LatentsFileName), z);
    }

    /// <summary>
    /// Per sample <c>00001.png</c> (the lifted rendering) and <c>00001_&lt;map&gt;.png</c>; <c>sheet.png</c> with one row per
    /// sample; <c>manifest.txt</c> naming the renderings only (what `eval fid` reads from the folder).
    /// </summary>
    public static void SaveMaps(string outDir, FaceMaps maps)
    {
        long n = maps.Render.shape[0];
        var rendered = new List<string>();
        for (int i = 0; i < n; i++)
        {
            rendered.Add($"{i + 1:D5}.png");
            ImageIO.SavePng(Path.Combine(outDir, rendered[^1]), maps.Render[i]);
            foreach (var (name, image) in maps.All)
                if (name != "lifted") ImageIO.SavePng(Path.Combine(outDir, $"{i + 1:D5}_{name}.png"), image[i]);
        }
        IO.AtomicFile.WriteAllBytes(Path.Combine(outDir, "manifest.txt"), System.Text.Encoding.UTF8.GetBytes(string.Join('\n', rendered) + "\n"));
        using var sheet = maps.Sheet();
        using var grid = ImageGrid.Make(sheet, columns: maps.All.Count);
        ImageIO.SavePng(Path.Combine(outDir, "sheet.png"), grid);
    }

    /// <summary>
    /// Grids with one column per sample: <c>teacher_vs_lifted.png</c> (the teacher's images above the lifted renderings)
    /// and <c>{map}_grid.png</c> for every map; returns the file names by map name ("teacher_vs_lifted" first).
    /// </summary>
    public static IReadOnlyList<(string Name, string File)> SaveMapGrids(string outDir, FaceMaps maps)
    {
        using var scope = NewDisposeScope();
        int n = (int)maps.Render.shape[0];
        var written = new List<(string, string)> { ("teacher_vs_lifted", "teacher_vs_lifted.png") };
        ImageIO.SavePng(Path.Combine(outDir, "teacher_vs_lifted.png"), ImageGrid.Make(cat(new[] { maps.Teacher, maps.Render }, 0), columns: n));
        foreach (var (name, image) in maps.All)
        {
            ImageIO.SavePng(Path.Combine(outDir, $"{name}_grid.png"), ImageGrid.Make(image, columns: n));
            written.Add((name, $"{name}_grid.png"));
        }
        return written;
    }

    /// <summary>Sweeps N×T×3×S×S: per sample <c>{i}{suffix}.gif</c> (100 ms a frame, looping) and <c>{i}{suffix}_strip.png</c>.</summary>
    public static void SaveSweeps(string outDir, Tensor frames, string suffix = "")
    {
        for (int i = 0; i < frames.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            var sample = frames[i];
            GifWriter.Save(Path.Combine(outDir, $"{i + 1}{suffix}.gif"), Enumerable.Range(0, (int)sample.shape[0]).Select(t => sample[t]).ToList());
            ImageIO.SavePng(Path.Combine(outDir, $"{i + 1}{suffix}_strip.png"), ImageGrid.Make(sample, columns: (int)sample.shape[0]));
        }
    }

    /// <summary>A grid steps×views×3×S×S as <c>grid.png</c> (one row per step) and <c>{name}.gif</c> (one frame per row).</summary>
    public static void SaveRows(string outDir, Tensor grid, string name)
    {
        using var scope = NewDisposeScope();
        long rows = grid.shape[0], cols = grid.shape[1];
        ImageIO.SavePng(Path.Combine(outDir, $"{name}.png"), ImageGrid.Make(grid.flatten(0, 1), columns: (int)cols));
        GifWriter.Save(Path.Combine(outDir, $"{name}.gif"), Enumerable.Range(0, (int)rows).Select(r => ImageGrid.Make(grid[r], columns: (int)cols)).ToList());
    }

    /// <summary>Textured meshes of each latent (<see cref="MeshBuilder"/> on the sampler's <see cref="LiftedSampler.MeshSurfaces"/>).</summary>
    public static IReadOnlyList<TexturedMesh> Meshes(LiftedSampler sampler, Tensor z, double truncation, MeshTexture texture = MeshTexture.Albedo) =>
        Meshes(sampler, sampler.MeshSurfaces(z, truncation, texture));

    /// <summary>Textured meshes of styles w (N×D) given directly (<see cref="LiftedSampler.MeshSurfacesOfStyles"/>).</summary>
    public static IReadOnlyList<TexturedMesh> MeshesOfStyles(LiftedSampler sampler, Tensor w, MeshTexture texture = MeshTexture.Albedo) =>
        Meshes(sampler, sampler.MeshSurfacesOfStyles(w, texture));

    static IReadOnlyList<TexturedMesh> Meshes(LiftedSampler sampler, IReadOnlyList<(Tensor Depth, Tensor Colour)> surfaces)
    {
        var meshes = new List<TexturedMesh>();
        foreach (var (depth, colour) in surfaces)
        {
            using (depth)
            using (colour)
                meshes.Add(MeshBuilder.Build(sampler.Model.Renderer, depth, colour));
        }
        return meshes;
    }

    /// <summary>Writes each mesh as <c>00001.obj</c>/.mtl/.png, <c>00001.ply</c> and <c>00001.glb</c> (the formats asked for); returns the paths.</summary>
    public static IReadOnlyList<string> SaveMeshes(string outDir, IReadOnlyList<TexturedMesh> meshes, IReadOnlyCollection<MeshFormat> formats)
    {
        var written = new List<string>();
        for (int i = 0; i < meshes.Count; i++)
        {
            string stem = Path.Combine(outDir, $"{i + 1:D5}");
            if (formats.Contains(MeshFormat.Obj)) { var (obj, mtl, png) = ObjWriter.Save(stem + ".obj", meshes[i]); written.AddRange(new[] { obj, mtl, png }); }
            if (formats.Contains(MeshFormat.Ply)) { PlyWriter.Save(stem + ".ply", meshes[i]); written.Add(stem + ".ply"); }
            if (formats.Contains(MeshFormat.Glb)) { GltfWriter.Save(stem + ".glb", meshes[i]); written.Add(stem + ".glb"); }
        }
        return written;
    }
}
