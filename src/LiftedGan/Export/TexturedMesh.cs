namespace LiftedGan.Export;

/// <summary>
/// A triangle mesh with one vertex per foreground pixel of a depth map. Coordinates are camera units in the OpenGL
/// convention (x right, y up, the face in front of the camera at negative z): the camera frame of the renderer
/// (x right, y down, z forward) turned 180° about x. Normals point out of the surface, towards the camera.
/// Texture coordinates use the glTF convention (v = 0 at the texture's top row); <see cref="Texture"/> is the
/// S×S RGB image (row-major, 3 bytes a pixel) the UVs and vertex colours come from.
/// </summary>
public sealed record TexturedMesh(
    float[] Positions,
    float[] Normals,
    float[] TexCoords,
    byte[] Colors,
    int[] Faces,
    int[] PixelIndex,
    byte[] Texture,
    int TextureSize)
{
    /// <summary>Number of vertices.</summary>
    public int VertexCount => PixelIndex.Length;

    /// <summary>Number of triangles.</summary>
    public int FaceCount => Faces.Length / 3;
}
