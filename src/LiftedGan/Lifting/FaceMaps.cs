using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Per-sample images of lifted faces, each B×3×S×S in [-1, 1]: the teacher's image, the lifted rendering with the
/// predicted light and view, the canonical depth (min–max per sample, near = bright), the canonical normals (n as
/// RGB), the canonical shading (predicted light) and the de-lit albedo. Owns its tensors.
/// </summary>
public sealed class FaceMaps : IDisposable
{
    public FaceMaps(Tensor teacher, Tensor render, Tensor depth, Tensor normal, Tensor shading, Tensor albedo)
    {
        Teacher = teacher; Render = render; Depth = depth; Normal = normal; Shading = shading; Albedo = albedo;
    }

    public Tensor Teacher { get; }
    public Tensor Render { get; }
    public Tensor Depth { get; }
    public Tensor Normal { get; }
    public Tensor Shading { get; }
    public Tensor Albedo { get; }

    /// <summary>The maps by file-name stem, in display order.</summary>
    public IReadOnlyList<(string Name, Tensor Image)> All => new[]
    {
        ("teacher", Teacher), ("lifted", Render), ("depth", Depth), ("normal", Normal), ("shading", Shading), ("albedo", Albedo),
    };

    /// <summary>One row per sample with the maps side by side: B×6×3×S×S flattened to (6B)×3×S×S.</summary>
    public Tensor Sheet() => stack(All.Select(m => m.Image).ToArray(), 1).flatten(0, 1);

    public void Dispose()
    {
        foreach (var (_, t) in All) t.Dispose();
    }
}
