namespace LiftedGan.Export;

/// <summary>Mesh file formats: Wavefront OBJ (+MTL+PNG), PLY with vertex colours, binary glTF.</summary>
public enum MeshFormat
{
    Obj,
    Ply,
    Glb,
}
