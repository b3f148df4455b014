namespace LiftedGan.Control;

/// <summary>Bad input to 3DMM-controlled generation (a file, a factor value, a setting): "&lt;what&gt;: &lt;problem&gt;".</summary>
public sealed class ControlException(string what, string problem) : LiftedGanException(what, problem);
