using LiftedGan.Export;
using LiftedGan.IO;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Demo;

/// <summary>
/// The demo's results of a trained lift, written with <see cref="LiftedSampler"/> and <see cref="SampleOutput"/> (the
/// same code as `generate`, `rotate`, `relight`, `sideview`, `interpolate` and `export-mesh`) into sub-folders of the
/// results folder: faces/ (maps of every face and grids), rotate-yaw/, rotate-pitch/, relight/, sideview/,
/// interpolate/, meshes/, and the latents as z.npy. Returns the page sections that show them.
/// </summary>
public static class DemoGallery
{
    /// <summary>File name of the latents the demo used (N × style, float32).</summary>
    public const string LatentsFileName = "z.npy";

    /// <summary>
    /// Writes everything for the latents <paramref name="z"/> (the first two also get sweeps, meshes and the
    /// interpolation); with <paramref name="exactTruth"/> (a world-fit teacher) also <see cref="DemoTruth"/>.
    /// <paramref name="replayLatents"/>, when given, ends the latents' caption: how to replay them (the caller's words).
    /// </summary>
    public static IReadOnlyList<DemoSection> Write(LiftedSampler sampler, Tensor z, double truncation, string outDir, Action<string> log, bool exactTruth = false,
        string? replayLatents = null)
    {
        if (z.shape[0] < 2) throw new DemoException("latents", $"the demo needs at least 2 faces, got {z.shape[0]}");
        var sections = new List<DemoSection>();
        Npy.Save(Path.Combine(outDir, LatentsFileName), z);
        using var pair = z[..2];
        int s = sampler.ImageSize;

        log($"faces and maps ({z.shape[0]} faces)");
        string faces = Folder(outDir, "faces");
        using (var maps = sampler.Maps(z, truncation))
        {
            SampleOutput.SaveMaps(faces, maps);
            var grids = SampleOutput.SaveMapGrids(faces, maps);
            sections.Add(new DemoSection("faces", "Teacher and lifted faces",
                $"Top row: the 2D StyleGAN2 teacher's images (truncation ψ = {truncation}); bottom row: the lifted 3D face (depth, albedo, light, view) rendered back at its predicted view and light. {s} px.",
                new[]
                {
                    new DemoItem("faces/teacher_vs_lifted.png", "teacher (top) and lifted rendering (bottom)"),
                    new DemoItem("faces/sheet.png", "one face per row: teacher, lifted, depth, normal, shading, albedo"),
                }));
            var names = new Dictionary<string, string>
            {
                ["depth"] = "canonical depth (near = bright, min–max per face)",
                ["normal"] = "canonical normals as RGB",
                ["shading"] = "shading under the predicted light, relative to each face's brightest pixel",
                ["albedo"] = "de-lit albedo (texture)",
            };
            sections.Add(new DemoSection("maps", "Depth, normal, shading and albedo maps",
                "The canonical (frontal) maps the lift predicts for each face, one column per face as above.",
                grids.Where(g => names.ContainsKey(g.Name)).Select(g => new DemoItem($"faces/{g.File}", names[g.Name])).ToList()));
        }

        if (exactTruth)
        {
            log("comparison with the exact truth");
            sections.Add(DemoTruth.Write(sampler, z, outDir));
        }

        log("yaw and pitch rotations");
        foreach (var (axis, name, range) in new[] { (PoseAxis.Yaw, "yaw", "-45° to 45°, step 3°"), (PoseAxis.Pitch, "pitch", "-15° to 15°, step 1°") })
        {
            string dir = Folder(outDir, $"rotate-{name}");
            using (var frames = sampler.PoseSweep(pair, axis, truncation)) SampleOutput.SaveSweeps(dir, frames);
            sections.Add(new DemoSection($"rotate-{name}", $"{char.ToUpperInvariant(name[0])}{name[1..]} rotation",
                $"The lifted faces turned in {name} ({range}, the official generate_poses views) with their predicted light; GIF and strip per face.",
                Sweep($"rotate-{name}", "", 2, name).ToList()));
        }

        log("relighting");
        var (lit, shading) = sampler.LightSweep(pair, truncation);
        sections.Add(TwoSweeps(outDir, "relight", "Relighting",
            "The light direction swept from -60° to 60° (official generate_lighting: raw light [0.2, 0.8, tan θ, 0]) at the predicted view; the shading maps beside.",
            (lit, "", "relit"), (shading, "_shading", "shading")));

        log("side views");
        var (shape, normals) = sampler.SideView(pair, truncation);
        sections.Add(TwoSweeps(outDir, "sideview", "Side view of the shape",
            "The whole canonical mesh turned from +90° to -90° yaw after a -6° pitch, with neutral shading and coloured by its normals (the official summaries' render_yaw).",
            (shape, "_shape", "shape"), (normals, "_normals", "normals")));

        log("interpolation");
        string interp = Folder(outDir, "interpolate");
        double[] yaws = { -30, -15, 0, 15, 30 };
        using (var grid = sampler.Interpolate(pair[0], pair[1], 8, yaws, truncation)) SampleOutput.SaveRows(interp, grid, "interpolation");
        sections.Add(new DemoSection("interpolate", "Interpolation",
            "Styles on the line between faces 1 and 2 (8 steps, one per row), each rendered at yaw -30°, -15°, 0°, 15°, 30°.",
            new[] { new DemoItem("interpolate/interpolation.png", "one row per step"), new DemoItem("interpolate/interpolation.gif", "one frame per step") }));

        log("meshes");
        string meshDir = Folder(outDir, "meshes");
        var meshes = SampleOutput.Meshes(sampler, pair, truncation);
        var files = SampleOutput.SaveMeshes(meshDir, meshes, new[] { MeshFormat.Obj, MeshFormat.Ply, MeshFormat.Glb });
        var meshItems = new List<DemoItem>();
        for (int i = 0; i < meshes.Count; i++) meshItems.Add(new DemoItem($"meshes/{i + 1:D5}.png", $"face {i + 1}: albedo texture of the mesh ({meshes[i].VertexCount} vertices, {meshes[i].FaceCount} triangles)"));
        meshItems.AddRange(files.Where(f => Path.GetExtension(f) != ".png").Select(f => DemoItem.Link($"meshes/{Path.GetFileName(f)}", MeshCaption(Path.GetExtension(f)))));
        sections.Add(new DemoSection("meshes", "Meshes",
            "Faces 1 and 2 as textured triangle meshes cropped to the face, in the renderer's camera units (OpenGL frame: x right, y up, looking along +z). Open them in any 3D viewer (e.g. Blender, MeshLab, or a glTF viewer for .glb).",
            meshItems));

        sections.Add(new DemoSection("latents", "Latents",
            $"The {z.shape[0]} latents z (N × {sampler.StyleDim}, float32) behind every face on this page" + (replayLatents is null ? "." : $"; {replayLatents}"),
            new[] { DemoItem.Link(LatentsFileName, "numpy array of the latents") }));
        return sections;
    }

    /// <summary>Saves two sweep sets of the same faces (disposing them) into one folder and returns their section.</summary>
    static DemoSection TwoSweeps(string outDir, string folder, string title, string caption,
        (Tensor Frames, string Suffix, string What) first, (Tensor Frames, string Suffix, string What) second)
    {
        string dir = Folder(outDir, folder);
        using (first.Frames)
        using (second.Frames)
        {
            SampleOutput.SaveSweeps(dir, first.Frames, first.Suffix);
            SampleOutput.SaveSweeps(dir, second.Frames, second.Suffix);
        }
        return new DemoSection(folder, title, caption,
            Sweep(folder, first.Suffix, 2, first.What).Concat(Sweep(folder, second.Suffix, 2, second.What)).ToList());
    }

    static IEnumerable<DemoItem> Sweep(string folder, string suffix, int count, string what) =>
        Enumerable.Range(1, count).SelectMany(i => new[]
        {
            new DemoItem($"{folder}/{i}{suffix}.gif", $"face {i}: {what} (GIF)"),
            new DemoItem($"{folder}/{i}{suffix}_strip.png", $"face {i}: {what}, every frame"),
        });

    static string MeshCaption(string extension) => extension switch
    {
        ".obj" => "Wavefront OBJ (with .mtl and .png texture)",
        ".mtl" => "OBJ material",
        ".ply" => "PLY with vertex colours and UVs",
        ".glb" => "binary glTF, texture embedded",
        _ => extension,
    };

    static string Folder(string outDir, string name)
    {
        string dir = Path.Combine(outDir, name);
        SampleOutput.CheckFolder(dir);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
