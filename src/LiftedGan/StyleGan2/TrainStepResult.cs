namespace LiftedGan.StyleGan2;

/// <summary>Scalars of one training step (R1 and path values are those of the last regularisation step).</summary>
public sealed record TrainStepResult(long Iteration, double DLoss, double GLoss, double R1, double PathLoss,
    double MeanPathLength, double RealScore, double FakeScore);
