namespace LiftedGan.Demo;

/// <summary>
/// What the demo's short lift did: its run folder, steps, batch, wall time, the losses of every step (term → value),
/// the sample grids it wrote (paths relative to the run folder) and its checkpoint.
/// </summary>
public sealed record DemoLiftResult(string RunDir, int Steps, int Batch, double Seconds, IReadOnlyList<IReadOnlyDictionary<string, double>> Losses,
    IReadOnlyList<string> SampleGrids, string Checkpoint);
