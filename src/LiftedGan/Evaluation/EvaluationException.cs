namespace LiftedGan.Evaluation;

/// <summary>Bad input to an evaluation (a file, an argument or a tensor shape): "&lt;what&gt;: &lt;problem&gt;".</summary>
public sealed class EvaluationException(string what, string problem) : Exception($"{what}: {problem}");
