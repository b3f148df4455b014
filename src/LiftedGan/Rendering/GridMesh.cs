using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// The triangle mesh of an H x W depth map: one vertex per pixel (index row·W + col) and 2·(H-1)·(W-1) faces, first
/// all type-A faces [(r,c), (r+1,c), (r,c+1)], then all type-B faces [(r,c+1), (r+1,c), (r+1,c+1)], each in
/// row-major cell order (the official get_face_idx).
/// </summary>
public static class GridMesh
{
    /// <summary>Face vertex indices F x 3 (int32) of an H x W grid.</summary>
    public static Tensor Faces(long height, long width, Device? device = null)
    {
        if (height < 2 || width < 2) throw new RenderInputException("grid", $"a mesh needs at least 2 x 2 vertices, got {height} x {width}");
        using var scope = NewDisposeScope();
        var idx = arange(height * width, dtype: ScalarType.Int32, device: device ?? CPU).view(height, width);
        var a = stack(new[] { idx[..^1, ..^1], idx[1.., ..^1], idx[..^1, 1..] }, -1).reshape(-1, 3);
        var b = stack(new[] { idx[..^1, 1..], idx[1.., ..^1], idx[1.., 1..] }, -1).reshape(-1, 3);
        return cat(new[] { a, b }, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The faces repeated per sample, B x F x 3 (int32).</summary>
    public static Tensor BatchedFaces(long batch, long height, long width, Device? device = null)
    {
        using var scope = NewDisposeScope();
        return Faces(height, width, device).unsqueeze(0).repeat(batch, 1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per-vertex attributes B x (H·W) x C from an image B x C x H x W (the pixel colours as vertex colours).</summary>
    public static Tensor VertexAttributes(Tensor image)
    {
        RenderCheck.Shape(image, nameof(image), -1, -1, -1, -1);
        using var scope = NewDisposeScope();
        return image.permute(0, 2, 3, 1).reshape(image.shape[0], -1, image.shape[1]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-face texture cubes of an image B x C x H x W, B x F x R x R x R x C (the official get_textures_from_im).
    /// Size 1 takes pixel (r, c) for type-A faces and (r+1, c+1) for type-B faces. Size 2 takes the corners
    /// [(r,c), (r,c+1), (r+1,c)] (A) and [(r+1,c), (r,c+1), (r+1,c+1)] (B) and mixes them with the fixed 8 x 3
    /// coefficient table of the texture cube.
    /// </summary>
    public static Tensor TextureCubes(Tensor image, int size)
    {
        RenderCheck.Shape(image, nameof(image), -1, -1, -1, -1);
        if (size is not (1 or 2)) throw new RenderInputException(nameof(size), $"texture cube size must be 1 or 2, got {size}");
        using var scope = NewDisposeScope();
        long b = image.shape[0], c = image.shape[1];
        var tl = image[.., .., ..^1, ..^1];
        var tr = image[.., .., ..^1, 1..];
        var bl = image[.., .., 1.., ..^1];
        var br = image[.., .., 1.., 1..];
        if (size == 1)
        {
            var tex = cat(new[] { tl.reshape(b, c, -1), br.reshape(b, c, -1) }, 2);
            return tex.transpose(2, 1).reshape(b, -1, 1, 1, 1, c).MoveToOuterDisposeScope();
        }
        var a = stack(new[] { tl, tr, bl }, -1).reshape(b, c, -1, 3);
        var bb = stack(new[] { bl, tr, br }, -1).reshape(b, c, -1, 3);
        var corners = cat(new[] { a, bb }, 2);
        var coeffs = tensor(new float[]
        {
            0.5f, 0.5f, 0.5f, 0, 0, 1, 0, 1, 0, -0.5f, 0.5f, 0.5f,
            1, 0, 0, 0.5f, -0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0, 0, 0,
        }).view(8, 3).to(image.dtype, image.device);
        long n = corners.shape[2];
        return coeffs.matmul(corners.permute(0, 2, 3, 1)).reshape(b, n, 2, 2, 2, c).MoveToOuterDisposeScope();
    }
}
