namespace LiftedGan.Rendering;

/// <summary>
/// A renderer input that cannot be used (wrong shape, empty batch, NaN or non-positive depth, bad face index).
/// The message reads "&lt;argument&gt;: &lt;problem&gt;". The renderer never returns a silent black image instead.
/// </summary>
public sealed class RenderInputException(string argument, string problem) : LiftedGanException(argument, problem)
{
    /// <summary>The argument that was rejected.</summary>
    public string Argument { get; } = argument;

    /// <summary>The problem text used for NaN or infinite values.</summary>
    public const string NonFinite = "contains NaN or infinite values";

    /// <summary>Whether the input was rejected for NaN or infinite values (a diverged network upstream).</summary>
    public bool IsNonFinite => Problem == NonFinite;
}
