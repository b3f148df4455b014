using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Export;

/// <summary>
/// Wavefront OBJ with a material library and a PNG texture beside it: <c>name.obj</c>, <c>name.mtl</c>,
/// <c>name.png</c>. Vertices carry positions, normals and texture coordinates (OBJ's v runs upwards, so v = 1 - v_glTF).
/// </summary>
public static class ObjWriter
{
    /// <summary>Writes the three files; returns their paths (obj, mtl, png).</summary>
    public static (string Obj, string Mtl, string Png) Save(string objPath, TexturedMesh mesh)
    {
        string stem = Path.GetFileNameWithoutExtension(objPath);
        string dir = Path.GetDirectoryName(Path.GetFullPath(objPath))!;
        string mtl = Path.Combine(dir, stem + ".mtl"), png = Path.Combine(dir, stem + ".png");
        AtomicFile.WriteAllBytes(png, TexturePng.Encode(mesh));
        AtomicFile.WriteAllBytes(mtl, Encoding.ASCII.GetBytes(
            $"newmtl face\nKa 1 1 1\nKd 1 1 1\nKs 0 0 0\nillum 1\nmap_Kd {stem}.png\n"));

        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"# LiftedGan.NET lifted face: {mesh.VertexCount} vertices, {mesh.FaceCount} triangles, camera units\n");
        sb.Append(inv, $"mtllib {stem}.mtl\nusemtl face\n");
        for (int v = 0; v < mesh.VertexCount; v++)
            sb.Append(inv, $"v {mesh.Positions[3 * v]:R} {mesh.Positions[3 * v + 1]:R} {mesh.Positions[3 * v + 2]:R}\n");
        for (int v = 0; v < mesh.VertexCount; v++)
            sb.Append(inv, $"vt {mesh.TexCoords[2 * v]:R} {1 - mesh.TexCoords[2 * v + 1]:R}\n");
        for (int v = 0; v < mesh.VertexCount; v++)
            sb.Append(inv, $"vn {mesh.Normals[3 * v]:R} {mesh.Normals[3 * v + 1]:R} {mesh.Normals[3 * v + 2]:R}\n");
        for (int f = 0; f < mesh.FaceCount; f++)
        {
            int a = mesh.Faces[3 * f] + 1, b = mesh.Faces[3 * f + 1] + 1, c = mesh.Faces[3 * f + 2] + 1;
            sb.Append(inv, $"f {a}/{a}/{a} {b}/{b}/{b} {c}/{c}/{c}\n");
        }
        AtomicFile.WriteAllBytes(objPath, Encoding.ASCII.GetBytes(sb.ToString()));
        return (objPath, mtl, png);
    }
}
