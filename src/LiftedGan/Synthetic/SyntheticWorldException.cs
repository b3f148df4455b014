namespace LiftedGan.Synthetic;

/// <summary>Bad input to the synthetic face world (a count, a size, an output folder): "&lt;argument or file&gt;: &lt;problem&gt;".</summary>
public sealed class SyntheticWorldException(string subject, string problem) : LiftedGanException(subject, problem);
