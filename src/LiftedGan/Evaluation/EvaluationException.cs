namespace LiftedGan.Evaluation;

/// <summary>Bad evaluation input (a file, a folder, a source description or an argument): "&lt;what&gt;: &lt;problem&gt;".</summary>
public sealed class EvaluationException(string what, string problem) : LiftedGanException(what, problem)
{
    public string What { get; } = what;
}
