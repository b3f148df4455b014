using System.Globalization;

namespace LiftedGan.Tests.Export;

/// <summary>Minimal OBJ and ASCII PLY readers for the tests (positions, texture coordinates, colours, triangles).</summary>
internal static class MeshReaders
{
    public sealed record Mesh(List<float[]> Positions, List<float[]> TexCoords, List<float[]> Normals, List<byte[]> Colors, List<int[]> Faces);

    static float F(string s) => float.Parse(s, CultureInfo.InvariantCulture);

    public static Mesh ReadObj(string path)
    {
        var m = new Mesh(new(), new(), new(), new(), new());
        foreach (var line in File.ReadLines(path))
        {
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length == 0) continue;
            switch (t[0])
            {
                case "v": m.Positions.Add(new[] { F(t[1]), F(t[2]), F(t[3]) }); break;
                case "vt": m.TexCoords.Add(new[] { F(t[1]), F(t[2]) }); break;
                case "vn": m.Normals.Add(new[] { F(t[1]), F(t[2]), F(t[3]) }); break;
                case "f":
                    var idx = t.Skip(1).Select(c => c.Split('/').Select(int.Parse).ToArray()).ToArray();
                    if (idx.Length != 3 || idx.Any(i => i[0] != i[1] || i[1] != i[2])) throw new FormatException($"{path}: bad face '{line}'");
                    m.Faces.Add(idx.Select(i => i[0] - 1).ToArray());
                    break;
            }
        }
        return m;
    }

    public static Mesh ReadPly(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines[0] != "ply" || lines[1] != "format ascii 1.0") throw new FormatException($"{path}: not an ASCII PLY");
        int vertices = 0, faces = 0, i = 2;
        var props = new List<string>();
        for (; lines[i] != "end_header"; i++)
        {
            var t = lines[i].Split(' ');
            if (t[0] == "element" && t[1] == "vertex") vertices = int.Parse(t[2]);
            else if (t[0] == "element" && t[1] == "face") faces = int.Parse(t[2]);
            else if (t[0] == "property" && t[1] != "list") props.Add(t[2]);
        }
        int P(string name) => props.IndexOf(name) >= 0 ? props.IndexOf(name) : throw new FormatException($"{path}: no property {name}");
        var m = new Mesh(new(), new(), new(), new(), new());
        for (int v = 0; v < vertices; v++)
        {
            var t = lines[++i].Split(' ');
            m.Positions.Add(new[] { F(t[P("x")]), F(t[P("y")]), F(t[P("z")]) });
            m.Normals.Add(new[] { F(t[P("nx")]), F(t[P("ny")]), F(t[P("nz")]) });
            m.Colors.Add(new[] { byte.Parse(t[P("red")]), byte.Parse(t[P("green")]), byte.Parse(t[P("blue")]) });
            m.TexCoords.Add(new[] { F(t[P("s")]), F(t[P("t")]) });
        }
        for (int f = 0; f < faces; f++)
        {
            var t = lines[++i].Split(' ').Select(int.Parse).ToArray();
            if (t[0] != 3) throw new FormatException($"{path}: face {f} is not a triangle");
            m.Faces.Add(t[1..]);
        }
        return m;
    }
}
