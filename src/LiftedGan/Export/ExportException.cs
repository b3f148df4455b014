namespace LiftedGan.Export;

/// <summary>An export input or output that cannot be used; the message is "&lt;file or argument&gt;: &lt;problem&gt;".</summary>
public sealed class ExportException(string subject, string problem) : LiftedGanException(subject, problem);
