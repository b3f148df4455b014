namespace LiftedGan.Packing;

/// <summary>
/// What <see cref="ModelPacker.Pack"/> wrote: the kind it recognised, the packed file, the sizes before and after,
/// the tensors kept (and how many of them were stored as float16), and the json written beside the packed file (the
/// lift's config, the identity embedding's training log), or null.
/// </summary>
public sealed record PackResult(PackedModelKind Kind, string OutputPath, long InputBytes, long OutputBytes, int Tensors, int HalfTensors, string? SidecarPath)
{
    /// <summary>Input size over output size.</summary>
    public double Ratio => OutputBytes == 0 ? 0 : (double)InputBytes / OutputBytes;
}
