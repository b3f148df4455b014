namespace LiftedGan.Demo;

/// <summary>A demo that cannot run or finish (bad option, unusable results folder, broken page): "&lt;file or argument&gt;: &lt;problem&gt;".</summary>
public sealed class DemoException(string subject, string problem) : LiftedGanException(subject, problem);
