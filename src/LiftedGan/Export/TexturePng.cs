using StbImageWriteSharp;

namespace LiftedGan.Export;

/// <summary>PNG encoding of a mesh's texture (S×S RGB bytes).</summary>
public static class TexturePng
{
    public static byte[] Encode(TexturedMesh mesh)
    {
        using var stream = new MemoryStream();
        new ImageWriter().WritePng(mesh.Texture, mesh.TextureSize, mesh.TextureSize, ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }
}
