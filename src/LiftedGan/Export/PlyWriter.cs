using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Export;

/// <summary>ASCII PLY: per vertex x y z, nx ny nz, red green blue (uchar, the texture at the vertex's pixel), s t; triangles.</summary>
public static class PlyWriter
{
    public static void Save(string path, TexturedMesh mesh)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("ply\nformat ascii 1.0\ncomment LiftedGan.NET lifted face, camera units\n");
        sb.Append(inv, $"element vertex {mesh.VertexCount}\n");
        sb.Append("property float x\nproperty float y\nproperty float z\nproperty float nx\nproperty float ny\nproperty float nz\n");
        sb.Append("property uchar red\nproperty uchar green\nproperty uchar blue\nproperty float s\nproperty float t\n");
        sb.Append(inv, $"element face {mesh.FaceCount}\nproperty list uchar int vertex_indices\nend_header\n");
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            sb.Append(inv, $"{mesh.Positions[3 * v]:R} {mesh.Positions[3 * v + 1]:R} {mesh.Positions[3 * v + 2]:R} ");
            sb.Append(inv, $"{mesh.Normals[3 * v]:R} {mesh.Normals[3 * v + 1]:R} {mesh.Normals[3 * v + 2]:R} ");
            sb.Append(inv, $"{mesh.Colors[3 * v]} {mesh.Colors[3 * v + 1]} {mesh.Colors[3 * v + 2]} ");
            sb.Append(inv, $"{mesh.TexCoords[2 * v]:R} {1 - mesh.TexCoords[2 * v + 1]:R}\n");
        }
        for (int f = 0; f < mesh.FaceCount; f++)
            sb.Append(inv, $"3 {mesh.Faces[3 * f]} {mesh.Faces[3 * f + 1]} {mesh.Faces[3 * f + 2]}\n");
        AtomicFile.WriteAllBytes(path, Encoding.ASCII.GetBytes(sb.ToString()));
    }
}
