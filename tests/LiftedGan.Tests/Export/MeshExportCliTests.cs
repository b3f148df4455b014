using LiftedGan.Imaging;
using LiftedGan.Lifting;
using SharpGLTF.Schema2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Export;

[Collection(LiftFixture.Collection)]
public class MeshExportCliTests(LiftFixture fixture)
{
    [Fact]
    public void ExportedObjPlyAndGlbParseBackWithForegroundVerticesAtTheirPixels()
    {
        var outDir = fixture.NewPath("mesh");
        var (code, output, err) = LiftFixture.Run("export-mesh", "--ckpt", fixture.Checkpoint, "--stylegan", fixture.Teacher, "--n", "2", "--seed", "5", "--out", outDir);
        Assert.True(code == 0, err + output);

        // Expected geometry and texture, recomputed through the library from the saved latents.
        using var sampler = LiftedSampler.Open(fixture.Checkpoint, fixture.Teacher);
        using var scope = NewDisposeScope();
        var z = sampler.LoadLatents(Path.Combine(outDir, "latents.npy"));
        Assert.Equal(new long[] { 2, 32 }, z.shape);
        using var e = sampler.Model.Estimate(sampler.Styles(z, sampler.Model.Config.Truncation));
        int s = sampler.ImageSize;
        for (int i = 0; i < 2; i++)
        {
            string stem = Path.Combine(outDir, $"{i + 1:D5}");
            var depth = e.Depth[i];
            var foreground = depth.le(sampler.Model.Config.BorderDepth - 0.01).data<bool>().ToArray();
            int expectedVertices = foreground.Count(b => b);
            Assert.InRange(expectedVertices, 1, s * s);
            var points = sampler.Model.Renderer.DepthTo3dGrid(depth.unsqueeze(0))[0].data<float>().ToArray();
            var normals = sampler.Model.Renderer.Normals(depth.unsqueeze(0))[0].data<float>().ToArray();
            var albedo = ImageIO.ToBytes(e.Albedo[i].clamp(-1, 1)).Data;

            var obj = MeshReaders.ReadObj(stem + ".obj");
            var ply = MeshReaders.ReadPly(stem + ".ply");
            var texture = ImageIO.ToBytes(ImageIO.Load(stem + ".png")).Data;
            Assert.Contains("map_Kd 0000" + (i + 1) + ".png", File.ReadAllText(stem + ".mtl"));
            Assert.Equal(expectedVertices, obj.Positions.Count);
            Assert.Equal(expectedVertices, obj.TexCoords.Count);
            Assert.Equal(expectedVertices, ply.Positions.Count);
            Assert.NotEmpty(obj.Faces);
            Assert.Equal(obj.Faces.Count, ply.Faces.Count);
            Assert.All(obj.Faces.Concat(ply.Faces).SelectMany(f => f), v => Assert.InRange(v, 0, expectedVertices - 1));

            for (int v = 0; v < expectedVertices; v++)
            {
                // The UV names the pixel; the vertex is that pixel unprojected (OpenGL frame) and carries its albedo colour.
                int col = (int)(obj.TexCoords[v][0] * s), row = (int)((1 - obj.TexCoords[v][1]) * s);
                int p = row * s + col;
                Assert.True(foreground[p], $"vertex {v} maps to background pixel ({row}, {col})");
                Assert.Equal(points[3 * p], obj.Positions[v][0], 1e-5);
                Assert.Equal(-points[3 * p + 1], obj.Positions[v][1], 1e-5);
                Assert.Equal(-points[3 * p + 2], obj.Positions[v][2], 1e-5);
                Assert.Equal(obj.Positions[v], ply.Positions[v]);
                Assert.Equal(new[] { albedo[3 * p], albedo[3 * p + 1], albedo[3 * p + 2] }, ply.Colors[v]);
                Assert.Equal(new[] { texture[3 * p], texture[3 * p + 1], texture[3 * p + 2] }, ply.Colors[v]);
                Assert.InRange(Math.Sqrt(obj.Normals[v].Sum(x => (double)x * x)), 0.9999, 1.0001);
                // The renderer's normal (into the scene, camera frame) turned outwards and into the OpenGL frame.
                double len = Math.Sqrt(normals[3 * p] * normals[3 * p] + normals[3 * p + 1] * normals[3 * p + 1] + normals[3 * p + 2] * normals[3 * p + 2]);
                Assert.Equal(-normals[3 * p] / len, obj.Normals[v][0], 1e-4);
                Assert.Equal(normals[3 * p + 1] / len, obj.Normals[v][1], 1e-4);
                Assert.Equal(normals[3 * p + 2] / len, obj.Normals[v][2], 1e-4);
            }

            var model = ModelRoot.Load(stem + ".glb");
            var prim = model.LogicalMeshes.Single().Primitives.Single();
            var positions = prim.GetVertexAccessor("POSITION").AsVector3Array();
            var uvs = prim.GetVertexAccessor("TEXCOORD_0").AsVector2Array();
            Assert.Equal(expectedVertices, positions.Count);
            var triangles = prim.GetTriangleIndices().ToList();
            Assert.Equal(obj.Faces.Count, triangles.Count);
            Assert.All(triangles, t => Assert.True(t.A < expectedVertices && t.B < expectedVertices && t.C < expectedVertices));
            for (int v = 0; v < expectedVertices; v += 7)
            {
                Assert.Equal(obj.Positions[v][2], positions[v].Z, 1e-5);
                Assert.Equal(1 - obj.TexCoords[v][1], uvs[v].Y, 1e-5);
            }
            var image = prim.Material.FindChannel("BaseColor")!.Value.Texture.PrimaryImage;
            Assert.True(image.Content.IsPng);
            Assert.Equal(File.ReadAllBytes(stem + ".png"), image.Content.Content.ToArray());
        }
    }
}
