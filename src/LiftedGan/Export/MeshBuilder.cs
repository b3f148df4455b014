using LiftedGan.Imaging;
using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Export;

/// <summary>
/// Turns one lifted face (canonical depth S×S and a texture 3×S×S in [-1, 1]) into a <see cref="TexturedMesh"/>:
/// the depth unprojected through the renderer's camera, cropped to the foreground (depth below the border depth
/// minus 0.01, the region the transformation map pins to the face), two triangles per 2×2 block of foreground pixels,
/// unit normals from the depth (<see cref="DepthGeometry.NormalsFromDepth"/>, flipped to face the camera).
/// </summary>
public static class MeshBuilder
{
    /// <summary>Margin below the border depth that marks a pixel as foreground (as in the official estimate).</summary>
    public const double ForegroundMargin = 0.01;

    /// <summary>The foreground mask S×S (bool) of a depth map S×S.</summary>
    public static Tensor Foreground(Tensor depth, double borderDepth) => depth.le(borderDepth - ForegroundMargin);

    public static TexturedMesh Build(DepthMapRenderer renderer, Tensor depth, Tensor texture)
    {
        if (depth.dim() != 2 || depth.shape[0] != depth.shape[1] || depth.shape[0] != renderer.Options.ImageSize)
            throw new ExportException("depth", $"expected {renderer.Options.ImageSize}x{renderer.Options.ImageSize}, got [{string.Join(", ", depth.shape)}]");
        if (texture.dim() != 3 || texture.shape[0] != 3 || texture.shape[1] != depth.shape[0] || texture.shape[2] != depth.shape[1])
            throw new ExportException("texture", $"expected 3x{depth.shape[0]}x{depth.shape[1]}, got [{string.Join(", ", texture.shape)}]");
        using var scope = NewDisposeScope();
        int s = (int)depth.shape[0];
        var d = depth.detach().cpu().to(ScalarType.Float32).unsqueeze(0);
        var points = renderer.DepthTo3dGrid(d)[0].contiguous().data<float>().ToArray();
        var normals = renderer.Normals(d)[0].contiguous().data<float>().ToArray();
        var mask = Foreground(d[0], renderer.Options.BorderDepth).contiguous().data<bool>().ToArray();
        var (rgb, _, _, _) = ImageIO.ToBytes(texture, "texture");

        var index = new int[s * s];
        var pixels = new List<int>();
        for (int p = 0; p < s * s; p++) index[p] = mask[p] ? AddPixel(pixels, p) : -1;
        int n = pixels.Count;
        if (n == 0) throw new ExportException("depth", "no foreground pixels (every depth is at the border)");
        var positions = new float[n * 3];
        var outward = new float[n * 3];
        var uv = new float[n * 2];
        var colors = new byte[n * 3];
        for (int v = 0; v < n; v++)
        {
            int p = pixels[v];
            // Camera frame (x right, y down, z forward) → OpenGL frame (x right, y up, z backward); normals flipped to face the camera.
            positions[3 * v] = points[3 * p];
            positions[3 * v + 1] = -points[3 * p + 1];
            positions[3 * v + 2] = -points[3 * p + 2];
            // Exactly unit length (the renderer's normals carry a 1e-7 epsilon in their normalisation).
            float nx = normals[3 * p], ny = normals[3 * p + 1], nz = normals[3 * p + 2];
            float length = MathF.Sqrt(nx * nx + ny * ny + nz * nz);
            float inv = length > 0 ? 1 / length : 0;
            outward[3 * v] = -nx * inv;
            outward[3 * v + 1] = ny * inv;
            outward[3 * v + 2] = nz * inv;
            uv[2 * v] = (p % s + 0.5f) / s;
            uv[2 * v + 1] = (p / s + 0.5f) / s;
            colors[3 * v] = rgb[3 * p]; colors[3 * v + 1] = rgb[3 * p + 1]; colors[3 * v + 2] = rgb[3 * p + 2];
        }
        var faces = new List<int>();
        for (int r = 0; r + 1 < s; r++)
        for (int c = 0; c + 1 < s; c++)
        {
            int a = index[r * s + c], b = index[(r + 1) * s + c], e = index[r * s + c + 1], f = index[(r + 1) * s + c + 1];
            if (a < 0 || b < 0 || e < 0 || f < 0) continue;
            // Counter-clockwise seen from the camera (+z side in the OpenGL frame).
            faces.AddRange(new[] { a, b, e, e, b, f });
        }
        return new TexturedMesh(positions, outward, uv, colors, faces.ToArray(), pixels.ToArray(), rgb, s);
    }

    static int AddPixel(List<int> pixels, int p)
    {
        pixels.Add(p);
        return pixels.Count - 1;
    }
}
