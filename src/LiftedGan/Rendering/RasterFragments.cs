using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// What <see cref="Rasterizer.Rasterize"/> found per pixel, all without gradient, on the device of the input:
/// the nearest face, its barycentrics and its view z. Owns its tensors.
/// </summary>
public sealed class RasterFragments : IDisposable
{
    internal RasterFragments(Tensor faceIndex, Tensor barycentrics, Tensor depth, Tensor coverage, bool perspectiveCorrect)
    {
        FaceIndex = faceIndex;
        Barycentrics = barycentrics;
        Depth = depth;
        Coverage = coverage;
        PerspectiveCorrect = perspectiveCorrect;
    }

    /// <summary>Index (into the face list) of the nearest face per pixel, B x H x W int64; -1 where no face covers it.</summary>
    public Tensor FaceIndex { get; }

    /// <summary>Barycentric weights of the face's three vertices, B x H x W x 3 float32; -1 on background.</summary>
    public Tensor Barycentrics { get; }

    /// <summary>View-space z interpolated with <see cref="Barycentrics"/>, B x H x W float32; -1 on background (PyTorch3D's zbuf).</summary>
    public Tensor Depth { get; }

    /// <summary>True where a face covers the pixel, B x H x W bool.</summary>
    public Tensor Coverage { get; }

    /// <summary>Whether <see cref="Barycentrics"/> are perspective-corrected (else screen-space).</summary>
    public bool PerspectiveCorrect { get; }

    /// <summary>Batch size.</summary>
    public long Batch => FaceIndex.shape[0];

    /// <summary>Image height.</summary>
    public long Height => FaceIndex.shape[1];

    /// <summary>Image width.</summary>
    public long Width => FaceIndex.shape[2];

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        FaceIndex.Dispose();
        Barycentrics.Dispose();
        Depth.Dispose();
        Coverage.Dispose();
    }
}
