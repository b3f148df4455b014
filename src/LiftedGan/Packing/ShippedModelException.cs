namespace LiftedGan.Packing;

/// <summary>A shipped model that is missing: "&lt;file&gt;: &lt;problem and the command that makes it&gt;".</summary>
public sealed class ShippedModelException(string path, string problem) : LiftedGanException(path, problem)
{
    public string Path { get; } = path;
}
