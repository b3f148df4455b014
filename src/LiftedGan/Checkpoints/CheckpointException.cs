namespace LiftedGan.Checkpoints;

/// <summary>Base of every checkpoint error: names the file (or argument) and the problem.</summary>
public abstract class CheckpointException(string path, string problem, Exception? inner = null)
    : LiftedGanException(path, problem, inner)
{
    /// <summary>The file (or argument) that was being read or written.</summary>
    public string Path { get; } = path;
}

/// <summary>A file that is corrupt, truncated, of an unknown format, or that uses an unsupported feature.</summary>
public sealed class CheckpointFormatException(string path, string problem, Exception? inner = null)
    : CheckpointException(path, problem, inner);

/// <summary>A pickle that names a global outside the allow-list (e.g. <c>os.system</c>); nothing from it was run.</summary>
public sealed class UnsafePickleException(string path, string globalName)
    : CheckpointException(path, $"refusing pickle global '{globalName}' (not on the allow-list of tensor and container types)")
{
    /// <summary>The refused global as <c>module.name</c>.</summary>
    public string GlobalName { get; } = globalName;
}
