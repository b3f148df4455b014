using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan export-mesh`: lifted faces as textured meshes (OBJ+MTL+PNG, PLY, binary glTF) in camera units.</summary>
internal static class ExportMeshCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_meshes", defaultCount: 1);
        var formats = new Option<string>("--formats") { Description = "Comma-separated: obj, ply, glb.", DefaultValueFactory = _ => "obj,ply,glb" };
        var texture = new Option<string>("--texture") { Description = "albedo (de-lit, default) or shaded (predicted light).", DefaultValueFactory = _ => "albedo" };
        var cmd = new Command("export-mesh", "Export lifted faces as textured meshes cropped to the face (OBJ+MTL+PNG, PLY, GLB).") { formats, texture };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var chosen = parse.GetValue(formats)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => Enum.TryParse<MeshFormat>(f, ignoreCase: true, out var m) ? m : throw new UsageException($"--formats '{f}': must be obj, ply or glb"))
                .ToHashSet();
            if (chosen.Count == 0) throw new UsageException("--formats: none given");
            var colour = parse.GetValue(texture) switch
            {
                "albedo" => MeshTexture.Albedo,
                "shaded" => MeshTexture.Shaded,
                var other => throw new UsageException($"--texture {other}: must be albedo or shaded"),
            };
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            using (z)
            {
                var meshes = SampleOutput.Meshes(sampler, z, psi, colour);
                SampleOutput.SaveMeshes(outDir, meshes, chosen);
                foreach (var (m, i) in meshes.Select((m, i) => (m, i)))
                    stdout.WriteLine($"{i + 1:D5}: {m.VertexCount} vertices, {m.FaceCount} triangles");
            }
            stdout.WriteLine($"wrote {count} meshes -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
