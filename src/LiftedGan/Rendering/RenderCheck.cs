using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>Input validation shared by the renderer entry points; throws <see cref="RenderInputException"/>.</summary>
internal static class RenderCheck
{
    /// <summary>Checks rank, a non-empty batch and optionally fixed trailing sizes (-1 = any).</summary>
    public static void Shape(Tensor t, string name, params long[] sizes)
    {
        if (t.dim() != sizes.Length)
            throw new RenderInputException(name, $"expected {sizes.Length} dimensions ({Describe(sizes)}), got shape {Describe(t.shape)}");
        if (t.shape[0] == 0) throw new RenderInputException(name, "empty batch");
        for (int i = 0; i < sizes.Length; i++)
            if (sizes[i] >= 0 && t.shape[i] != sizes[i])
                throw new RenderInputException(name, $"expected shape {Describe(sizes)}, got {Describe(t.shape)}");
        if (!t.is_floating_point()) throw new RenderInputException(name, $"expected a floating-point tensor, got {t.dtype}");
    }

    /// <summary>Rejects NaN or infinite values.</summary>
    public static void Finite(Tensor t, string name)
    {
        using var bad = t.detach().isfinite().logical_not().any();
        if (bad.item<bool>()) throw new RenderInputException(name, RenderInputException.NonFinite);
    }

    /// <summary>Rejects NaN, infinite and non-positive depth values (the camera sits at z = 0).</summary>
    public static void Depth(Tensor depth, string name)
    {
        Finite(depth, name);
        using var ok = depth.detach().gt(0).all();
        if (!ok.item<bool>()) throw new RenderInputException(name, "depth must be positive (the camera is at z = 0)");
    }

    /// <summary>Checks that two tensors share the batch size.</summary>
    public static void SameBatch(Tensor a, string nameA, Tensor b, string nameB)
    {
        if (a.shape[0] != b.shape[0])
            throw new RenderInputException(nameB, $"batch size {b.shape[0]} does not match {nameA} batch size {a.shape[0]}");
    }

    public static string Describe(long[] shape) => "[" + string.Join(", ", shape.Select(s => s < 0 ? "*" : s.ToString())) + "]";
}
