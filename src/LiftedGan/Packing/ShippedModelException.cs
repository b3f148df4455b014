namespace LiftedGan.Packing;

/// <summary>Which of the shipped models a <see cref="ShippedModelException"/> is about.</summary>
public enum ShippedModelPart { Folder, StyleGan, Lift, Identity }

/// <summary>A shipped model that is missing: "&lt;file&gt;: &lt;problem&gt;", with which part it is and where the folder came from.</summary>
public sealed class ShippedModelException(string path, string problem, ShippedModelPart part, ModelsFolderSource source)
    : LiftedGanException(path, problem)
{
    public string Path { get; } = path;

    /// <summary>The missing part: the whole folder, or one model file in it.</summary>
    public ShippedModelPart Part { get; } = part;

    /// <summary>Who chose the folder.</summary>
    public ModelsFolderSource FolderSource { get; } = source;
}
