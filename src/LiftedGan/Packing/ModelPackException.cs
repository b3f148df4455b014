namespace LiftedGan.Packing;

/// <summary>A checkpoint that cannot be packed, or a packing target that cannot be written: "&lt;file&gt;: &lt;problem&gt;".</summary>
public sealed class ModelPackException(string path, string problem) : LiftedGanException(path, problem)
{
    public string Path { get; } = path;
}
