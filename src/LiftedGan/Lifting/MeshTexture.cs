namespace LiftedGan.Lifting;

/// <summary>What colours an exported mesh: the de-lit albedo, or the canonical image shaded with the predicted light.</summary>
public enum MeshTexture
{
    Albedo,
    Shaded,
}
