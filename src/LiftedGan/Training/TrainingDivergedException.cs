namespace LiftedGan.Training;

/// <summary>A training step produced a non-finite value; the run stops and its last checkpoint is the last good one.</summary>
public class TrainingDivergedException(long step, string what, string? detail = null)
    : LiftedGanException($"step {step}: {what} is not finite; {detail ?? "the run stopped"} (the last checkpoint is intact)")
{
    /// <summary>The index of the step that diverged (steps done before it).</summary>
    public long Step { get; } = step;
}

/// <summary>A run folder or input that cannot be used; raised before any training starts.</summary>
public class RunSetupException(string what, string problem) : LiftedGanException(what, problem);
