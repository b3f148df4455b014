using System.Text.Json;

namespace LiftedGan.Viewer;

/// <summary>
/// One face exported for the viewer page (<see cref="ViewerFaces.Export"/>): its seed, mesh size, the camera and the
/// predicted light to start from, and its files as paths relative to the page. The page reads it as JSON.
/// </summary>
public sealed record ViewerFace(long Seed, int Vertices, int Triangles, ViewerCamera Camera, ViewerLight Light, ViewerFiles Files)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The face as the page's JSON (camelCase names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A list of faces as the page's JSON array.</summary>
    public static string ToJson(IEnumerable<ViewerFace> faces) => JsonSerializer.Serialize(faces, Json);
}

/// <summary>The renderer's camera: vertical field of view (degrees) and the depth of the rotation centre the mesh turns about.</summary>
public sealed record ViewerCamera(double FieldOfView, double CenterDepth);

/// <summary>
/// The lift's predicted light as the page's sliders say it: ambient a and diffuse b of shading a + b·max(0, n·l), and
/// the direction towards the light as two angles in degrees (positive: from the right, from above; 0, 0: from the camera).
/// </summary>
public sealed record ViewerLight(double Ambient, double Diffuse, double Horizontal, double Vertical);

/// <summary>
/// The face's files, relative to the page: the meshes (binary glTF, OBJ with its material and texture, PLY), the GLB as
/// a script (what a page opened from disk can load), and the teacher's image and the lifted rendering.
/// </summary>
public sealed record ViewerFiles(string Glb, string GlbScript, string Obj, string Mtl, string Texture, string Ply, string Teacher, string Lifted);
