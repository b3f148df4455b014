namespace LiftedGan.Viewer;

/// <summary>A viewer input or output that cannot be used; the message is "&lt;file or parameter&gt;: &lt;problem&gt;".</summary>
public sealed class ViewerException(string subject, string problem) : LiftedGanException(subject, problem);
