namespace LiftedGan.Projection;

/// <summary>A projection setting out of range (names the setting, never a flag).</summary>
public sealed class ProjectionException(string subject, string problem) : LiftedGanException(subject, problem);

/// <summary>A photo that cannot be used: missing, unreadable, too small, or the wrong size for the crop asked for. Names the file.</summary>
public sealed class PhotoException(string path, string problem, Exception? inner = null) : LiftedGanException(path, problem, inner)
{
    /// <summary>The photo's path.</summary>
    public string Path { get; } = path;
}
