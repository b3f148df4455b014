using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>A parsed light per sample: ambient a (B x 1), diffuse b (B x 1), unit direction d (B x 3). Owns its tensors.</summary>
public sealed record LightParameters(Tensor Ambient, Tensor Diffuse, Tensor Direction) : IDisposable
{
    /// <summary>Releases the three tensors.</summary>
    public void Dispose()
    {
        Ambient.Dispose();
        Diffuse.Dispose();
        Direction.Dispose();
    }
}

/// <summary>
/// LiftedGAN's Lambertian lighting: a 4-d raw light (tanh outputs) gives ambient a = L0/2 + 0.5, diffuse
/// b = L1/2 + 0.5 and direction d = normalise(L2, L3, 1); shading = a + b·max(0, n·d) with n from
/// <see cref="DepthGeometry.NormalsFromDepth"/> (n and d both point into the scene, so a positive L2 lights the
/// surfaces facing image left). Images are in [-1, 1] and shading acts on (im/2 + 0.5).
/// </summary>
public static class Lighting
{
    /// <summary>Parses a raw light B x 4; <paramref name="frontalize"/> replaces the direction by (0, 0, 1).</summary>
    public static LightParameters Parse(Tensor rawLight, bool frontalize = false)
    {
        RenderCheck.Shape(rawLight, nameof(rawLight), -1, 4);
        RenderCheck.Finite(rawLight, nameof(rawLight));
        using var scope = NewDisposeScope();
        var a = rawLight[.., 0..1] / 2 + 0.5;
        var b = rawLight[.., 1..2] / 2 + 0.5;
        Tensor d;
        if (frontalize)
        {
            d = zeros(rawLight.shape[0], 3, dtype: rawLight.dtype, device: rawLight.device);
            d[.., 2] = 1;
        }
        else
        {
            d = cat(new[] { rawLight[.., 2..4], ones(rawLight.shape[0], 1, dtype: rawLight.dtype, device: rawLight.device) }, 1);
            d = d / d.pow(2).sum(1, keepdim: true).sqrt();
        }
        return new LightParameters(a.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope(), d.MoveToOuterDisposeScope());
    }

    /// <summary>max(0, n·d) as B x 1 x H x W, from normals B x H x W x 3 and directions B x 3.</summary>
    public static Tensor DiffuseShading(Tensor normals, Tensor direction)
    {
        RenderCheck.Shape(normals, nameof(normals), -1, -1, -1, 3);
        RenderCheck.SameBatch(normals, nameof(normals), direction, nameof(direction));
        using var scope = NewDisposeScope();
        return (normals * direction.view(-1, 1, 1, 3)).sum(3).clamp(min: 0).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Shading a + b·max(0, n·d), B x 1 x H x W.</summary>
    public static Tensor Shading(Tensor normals, LightParameters light)
    {
        using var scope = NewDisposeScope();
        var diffuse = DiffuseShading(normals, light.Direction);
        return (light.Ambient.view(-1, 1, 1, 1) + light.Diffuse.view(-1, 1, 1, 1) * diffuse).MoveToOuterDisposeScope();
    }

    /// <summary>Applies shading B x 1 x H x W to an albedo B x C x H x W in [-1, 1]: ((albedo/2 + 0.5)·shading)·2 - 1.</summary>
    public static Tensor Shade(Tensor albedo, Tensor shading) => (albedo / 2 + 0.5) * shading * 2 - 1;

    /// <summary>Removes shading from an image in [-1, 1]: ((image/2 + 0.5) / (shading + 1e-8))·2 - 1 (de-lighting).</summary>
    public static Tensor Delight(Tensor image, Tensor shading) => (image / 2 + 0.5) / (shading + 1e-8) * 2 - 1;

    /// <summary>
    /// The neutral grey shading image of normals B x H x W x 3, channels last: (0.8·max(n_z, 0)) repeated over 3
    /// channels, mapped to [-1, 1] by ·2 - 1.
    /// </summary>
    public static Tensor NeutralShading(Tensor normals)
    {
        RenderCheck.Shape(normals, nameof(normals), -1, -1, -1, 3);
        using var scope = NewDisposeScope();
        var s = (normals[.., .., .., 2..3].clamp(min: 0) * 0.8).repeat(1, 1, 1, 3);
        return (s * 2 - 1).MoveToOuterDisposeScope();
    }
}
