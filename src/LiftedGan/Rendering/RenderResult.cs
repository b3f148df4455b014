using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>A rendered batch. Owns its tensors.</summary>
public sealed class RenderResult : IDisposable
{
    internal RenderResult(Tensor image, Tensor depth, Tensor mask)
    {
        Image = image;
        Depth = depth;
        Mask = mask;
    }

    /// <summary>Rendered image B x C x H x W (differentiable in the vertices and colours); background = the background colour.</summary>
    public Tensor Image { get; }

    /// <summary>Rendered view-space depth B x H x W, detached; background pixels hold MaxDepth + (MaxDepth - MinDepth)/2 (1.2).</summary>
    public Tensor Depth { get; }

    /// <summary>
    /// Float mask B x 1 x H x W, the official recon_im_mask: 1 where the rendered depth is below the background depth
    /// (1.2), i.e. covered pixels (a surface warped beyond 1.2 would count as background, as in the official code).
    /// </summary>
    public Tensor Mask { get; }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Image.Dispose();
        Depth.Dispose();
        Mask.Dispose();
    }
}

/// <summary>The outputs of <see cref="DepthMapRenderer.RenderShaded"/> (LiftedGAN.render). Owns its tensors.</summary>
public sealed class ShadedRender : IDisposable
{
    internal ShadedRender(RenderResult render, Tensor canonImage, Tensor canonNormal, Tensor canonShading)
    {
        Render = render;
        CanonImage = canonImage;
        CanonNormal = canonNormal;
        CanonShading = canonShading;
    }

    /// <summary>The re-posed render: image, detached depth and mask.</summary>
    public RenderResult Render { get; }

    /// <summary>Shaded canonical image B x 3 x H x W (or the albedo when lighting is off).</summary>
    public Tensor CanonImage { get; }

    /// <summary>Canonical normals B x H x W x 3.</summary>
    public Tensor CanonNormal { get; }

    /// <summary>Canonical shading B x 1 x H x W (a + b·max(0, n·d)).</summary>
    public Tensor CanonShading { get; }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Render.Dispose();
        CanonImage.Dispose();
        CanonNormal.Dispose();
        CanonShading.Dispose();
    }
}

/// <summary>Dispose-scope helpers for the result types.</summary>
internal static class RenderResultScope
{
    /// <summary>Moves a result's tensors to the caller's dispose scope.</summary>
    public static RenderResult MoveToOuter(this RenderResult r)
    {
        r.Image.MoveToOuterDisposeScope();
        r.Depth.MoveToOuterDisposeScope();
        r.Mask.MoveToOuterDisposeScope();
        return r;
    }
}
