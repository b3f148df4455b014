using LiftedGan.Export;
using LiftedGan.Rendering;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Export;

public class MeshBuilderTests
{
    [Fact]
    public void DiskDepthGivesOneVertexPerForegroundPixelCameraFacingTrianglesAndUnprojectedPositions()
    {
        const int s = 16;
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = s });
        using var scope = NewDisposeScope();
        var r = arange(s, dtype: ScalarType.Float32).view(-1, 1);
        var c = arange(s, dtype: ScalarType.Float32).view(1, -1);
        var inside = ((r - 7.5f).pow(2) + (c - 7.5f).pow(2)).lt(36);
        var depth = where(inside, full(s, s, 1.0f), full(s, s, 1.05f));
        var texture = stack(new[] { c.expand(s, s) / 8 - 1, r.expand(s, s) / 8 - 1, zeros(s, s) }, 0);

        var mesh = MeshBuilder.Build(renderer, depth, texture);

        Assert.Equal(inside.sum().item<long>(), mesh.VertexCount);
        var m = inside.data<bool>().ToArray();
        int blocks = 0;
        for (int y = 0; y + 1 < s; y++)
        for (int x = 0; x + 1 < s; x++)
            if (m[y * s + x] && m[y * s + x + 1] && m[(y + 1) * s + x] && m[(y + 1) * s + x + 1]) blocks++;
        Assert.Equal(2 * blocks, mesh.FaceCount);
        Assert.All(mesh.Faces, i => Assert.InRange(i, 0, mesh.VertexCount - 1));

        var points = renderer.DepthTo3dGrid(depth.unsqueeze(0))[0].data<float>().ToArray();
        var rgb = LiftedGan.Imaging.ImageIO.ToBytes(texture).Data;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            int p = mesh.PixelIndex[v];
            Assert.True(m[p]);
            Assert.Equal(p % s, (int)(mesh.TexCoords[2 * v] * s));
            Assert.Equal(p / s, (int)(mesh.TexCoords[2 * v + 1] * s));
            Assert.Equal(points[3 * p], mesh.Positions[3 * v]);
            Assert.Equal(-points[3 * p + 1], mesh.Positions[3 * v + 1]);
            Assert.Equal(-points[3 * p + 2], mesh.Positions[3 * v + 2]);
            Assert.Equal(rgb[3 * p], mesh.Colors[3 * v]);
            Assert.Equal(rgb[3 * p + 1], mesh.Colors[3 * v + 1]);
        }
        // A flat disk at depth 1: every triangle faces the camera (+z in the OpenGL frame), interior normals are (0, 0, 1).
        for (int f = 0; f < mesh.FaceCount; f++)
        {
            var (a, b, e) = (mesh.Faces[3 * f], mesh.Faces[3 * f + 1], mesh.Faces[3 * f + 2]);
            float ux = mesh.Positions[3 * b] - mesh.Positions[3 * a], uy = mesh.Positions[3 * b + 1] - mesh.Positions[3 * a + 1];
            float vx = mesh.Positions[3 * e] - mesh.Positions[3 * a], vy = mesh.Positions[3 * e + 1] - mesh.Positions[3 * a + 1];
            Assert.True(ux * vy - uy * vx > 0, $"triangle {f} faces away from the camera");
        }
        int centre = Array.IndexOf(mesh.PixelIndex, 7 * s + 7);
        Assert.Equal(1f, mesh.Normals[3 * centre + 2], 5);
        Assert.Equal(0f, mesh.Normals[3 * centre], 5);
    }

    [Fact]
    public void AllBackgroundDepthIsAClearError()
    {
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = 8 });
        using var depth = full(8, 8, 1.05f);
        using var texture = zeros(3, 8, 8);
        var e = Assert.Throws<ExportException>(() => MeshBuilder.Build(renderer, depth, texture));
        Assert.Contains("no foreground", e.Message);
        using var wrong = zeros(3, 4, 4);
        Assert.Throws<ExportException>(() => MeshBuilder.Build(renderer, depth, wrong));
    }
}
