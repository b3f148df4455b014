using LiftedGan.IO;
using SharpGLTF.Memory;
using SharpGLTF.Schema2;

namespace LiftedGan.Export;

/// <summary>
/// Binary glTF 2.0 (.glb): one mesh with POSITION, NORMAL, TEXCOORD_0 and COLOR_0, 32-bit indices, and an unlit-free
/// PBR material (metallic 0, roughness 1) whose base colour is the embedded PNG texture.
/// </summary>
public static class GltfWriter
{
    public static void Save(string path, TexturedMesh mesh)
    {
        var model = ModelRoot.CreateModel();
        var image = model.UseImage(new MemoryImage(TexturePng.Encode(mesh)));
        var material = model.CreateMaterial("face");
        material.InitializePBRMetallicRoughness();
        material.FindChannel("BaseColor")!.Value.SetTexture(0, image);
        var mr = material.FindChannel("MetallicRoughness")!.Value;
        mr.SetFactor("MetallicFactor", 0);
        mr.SetFactor("RoughnessFactor", 1);

        var prim = model.CreateMesh("face").CreatePrimitive();
        prim.SetVertexAccessor("POSITION", Vec3(model, mesh.Positions));
        prim.SetVertexAccessor("NORMAL", Vec3(model, mesh.Normals));
        prim.SetVertexAccessor("TEXCOORD_0", Vec2(model, mesh.TexCoords));
        prim.SetVertexAccessor("COLOR_0", Vec3(model, mesh.Colors.Select(c => c / 255f).ToArray()));
        var indices = model.CreateAccessor();
        var indexView = model.UseBufferView(mesh.Faces.SelectMany(BitConverter.GetBytes).ToArray(), 0, null, 0, BufferMode.ELEMENT_ARRAY_BUFFER);
        indices.SetIndexData(indexView, 0, mesh.Faces.Length, IndexEncodingType.UNSIGNED_INT);
        prim.SetIndexAccessor(indices);
        prim.Material = material;
        model.UseScene("lifted face").CreateNode("face").Mesh = prim.LogicalParent;

        using var stream = AtomicFile.Create(path, out var commit);
        model.WriteGLB(stream);
        commit();
    }

    static Accessor Vec3(ModelRoot model, float[] values) => Floats(model, values, DimensionType.VEC3);

    static Accessor Vec2(ModelRoot model, float[] values) => Floats(model, values, DimensionType.VEC2);

    /// <summary>A float vertex accessor over its own buffer view (the floats' little-endian bytes, tightly packed).</summary>
    static Accessor Floats(ModelRoot model, float[] values, DimensionType dimensions)
    {
        int width = dimensions == DimensionType.VEC3 ? 3 : 2;
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var accessor = model.CreateAccessor();
        accessor.SetVertexData(model.UseBufferView(bytes, 0, null, width * 4, BufferMode.ARRAY_BUFFER), 0, values.Length / width,
            new AttributeFormat(dimensions, EncodingType.FLOAT, false));
        return accessor;
    }
}
