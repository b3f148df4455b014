using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// GAN2Shape's projection onto the GAN manifold with the offset regularised through the mapping network (§1.6). The
/// teacher's mapping F (pixel norm and L linear layers, L + 1 modules) is split at k = L − F1_d into F2 = modules
/// [0, k) and F1 = modules [k, L + 1); with w_c = F(0) and h_c = F2(0) an encoding e gives the W-space offset
/// Δw = F1(e + h_c) − w_c, and the projected image G(w + Δw) (stored noise, clamped to [−1, 1]). A zero encoding is a
/// zero offset; the deeper F1, the more the offset is confined to what the mapping can produce. The teacher is frozen.
/// </summary>
public sealed class LatentProjection : IDisposable
{
    readonly Tensor _wCenter;
    readonly Tensor _hCenter;

    /// <exception cref="Gan2ShapeException">The mapping depth exceeds the teacher's mapping layers.</exception>
    public LatentProjection(StyleGenerator teacher, int mappingDepth)
    {
        int layers = teacher.Config.MappingLayers;
        if (mappingDepth < 0 || mappingDepth > layers)
            throw new Gan2ShapeException("mapping depth", $"{mappingDepth}: the teacher's mapping has {layers} linear layers (need 0 ≤ depth ≤ {layers})");
        Teacher = teacher;
        Split = layers - mappingDepth;
        using var noGrad = no_grad();
        var p = teacher.parameters().First();
        using var zero = zeros([1, teacher.Config.StyleDim], dtype: p.dtype, device: p.device);
        _wCenter = teacher.Map(zero).detach().DetachFromDisposeScope();
        _hCenter = teacher.MapPart(zero, 0, Split).detach().DetachFromDisposeScope();
    }

    public StyleGenerator Teacher { get; }

    /// <summary>k: the first mapping module of F1 (0 when F1 is the whole mapping, pixel norm included).</summary>
    public int Split { get; }

    /// <summary>Δw = F1(e + h_c) − w_c for encodings B×D (with gradients to e).</summary>
    public Tensor Offset(Tensor encoding)
    {
        if (encoding.dim() != 2 || encoding.shape[1] != Teacher.Config.StyleDim)
            throw new Gan2ShapeException("encoding", $"expected B x {Teacher.Config.StyleDim}, got [{string.Join(", ", encoding.shape)}]");
        using var scope = NewDisposeScope();
        return (Teacher.MapPart(encoding + _hCenter, Split, Teacher.MappingModules) - _wCenter).MoveToOuterDisposeScope();
    }

    /// <summary>The teacher's image of styles w (B×D, or 1×D broadcast), stored noise, clamped to [−1, 1].</summary>
    public Tensor Generate(Tensor w)
    {
        using var scope = NewDisposeScope();
        var image = Teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The projected images G(w + Δw) and the offsets Δw of encodings B×D around the style w (1×D).</summary>
    public (Tensor Image, Tensor Offset) Project(Tensor encoding, Tensor w)
    {
        using var scope = NewDisposeScope();
        var offset = Offset(encoding);
        var image = Generate(w + offset);
        return (image.MoveToOuterDisposeScope(), offset.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _wCenter.Dispose();
        _hCenter.Dispose();
    }
}
