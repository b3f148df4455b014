using System.Globalization;
using System.Text;
using LiftedGan.Export;
using LiftedGan.Imaging;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Viewer;

/// <summary>
/// Exports one face for the viewer into <c>faces/seed-N/</c> of a site folder: the latent of seed N (the same face
/// as seed N with one sample in the sampling commands), its mesh in every format through <see cref="SampleOutput"/>
/// (the files `export-mesh` writes), the GLB once more as a script, the teacher's image, the lifted rendering, and the
/// predicted light.
/// </summary>
public static class ViewerFaces
{
    /// <summary>Folder of the faces inside a site folder.</summary>
    public const string FolderName = "faces";

    /// <summary>Largest seed: the page holds seeds as JavaScript numbers, exact up to 2^53 − 1.</summary>
    public const long MaxSeed = (1L << 53) - 1;

    static readonly MeshFormat[] Formats = { MeshFormat.Obj, MeshFormat.Ply, MeshFormat.Glb };

    /// <summary>Throws a <see cref="ViewerException"/> unless 0 ≤ <paramref name="seed"/> ≤ <see cref="MaxSeed"/>.</summary>
    public static void CheckSeed(long seed)
    {
        if (seed < 0 || seed > MaxSeed) throw new ViewerException("seed", $"{seed}: must be a whole number from 0 to {MaxSeed}");
    }

    /// <summary>Writes the face of <paramref name="seed"/> under <paramref name="siteDir"/> and returns what the page needs of it.</summary>
    public static ViewerFace Export(LiftedSampler sampler, long seed, double truncation, string siteDir)
    {
        CheckSeed(seed);
        string name = "seed-" + seed.ToString(CultureInfo.InvariantCulture);
        string dir = Path.Combine(siteDir, FolderName, name);
        ViewerSite.CreateFolder(dir);
        using var z = sampler.RandomLatents(1, seed);

        var mesh = SampleOutput.Meshes(sampler, z, truncation).Single();
        var written = SampleOutput.SaveMeshes(dir, new[] { mesh }, Formats);
        string Written(string extension) => Path.GetFileName(written.Single(w => w.EndsWith(extension, StringComparison.Ordinal)));
        string glb = Written(".glb");
        AtomicFile.WriteAllBytes(Path.Combine(dir, glb + ".js"), GlbScript(seed, File.ReadAllBytes(Path.Combine(dir, glb))));

        using (var maps = sampler.Maps(z, truncation))
        using (var teacher = maps.Teacher[0])
        using (var lifted = maps.Render[0])
        {
            ImageIO.SavePng(Path.Combine(dir, "teacher.png"), teacher);
            ImageIO.SavePng(Path.Combine(dir, "lifted.png"), lifted);
        }

        string Url(string file) => $"{FolderName}/{name}/{file}";
        var options = sampler.Model.Renderer.Options;
        return new ViewerFace(seed, mesh.VertexCount, mesh.FaceCount,
            new ViewerCamera(options.FieldOfViewDegrees, options.CenterDepth),
            PredictedLight(sampler, z, truncation),
            new ViewerFiles(Url(glb), Url(glb + ".js"), Url(Written(".obj")), Url(Written(".mtl")), Url(Written(".png")), Url(Written(".ply")),
                Url("teacher.png"), Url("lifted.png")));
    }

    /// <summary>
    /// The lift's light for one latent: ambient and diffuse strengths, and the direction towards the light in the
    /// mesh's frame (OpenGL: x right, y up, z towards the camera) as horizontal and vertical angles.
    /// </summary>
    static ViewerLight PredictedLight(LiftedSampler sampler, Tensor z, double truncation)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var estimate = sampler.Model.Estimate(sampler.Styles(z, truncation));
        using var light = Lighting.Parse(estimate.Light);
        // The renderer's d points into the scene in the camera frame (x right, y down, z forward); towards the light
        // in the mesh's frame is (−dx, dy, dz) after the frame change (x, −y, −z) and the sign flip.
        var d = light.Direction[0].cpu().data<float>().ToArray();
        double Degrees(double tangent) => Math.Atan(tangent) * 180 / Math.PI;
        return new ViewerLight(light.Ambient[0, 0].item<float>(), light.Diffuse[0, 0].item<float>(), Degrees(-d[0] / d[2]), Degrees(d[1] / d[2]));
    }

    /// <summary>The GLB as a script that files it under its seed in <c>window.LIFTEDGAN_GLB</c> (base64).</summary>
    static byte[] GlbScript(long seed, byte[] glb) => Encoding.ASCII.GetBytes(
        "window.LIFTEDGAN_GLB = window.LIFTEDGAN_GLB || {};\n" +
        $"window.LIFTEDGAN_GLB[\"{seed.ToString(CultureInfo.InvariantCulture)}\"] = \"{Convert.ToBase64String(glb)}\";\n");
}
