namespace LiftedGan.Lifting;

/// <summary>A bad input to controlled generation (latents file, checkpoint pair, option); "&lt;file or argument&gt;: &lt;problem&gt;".</summary>
public sealed class SamplingException(string subject, string problem) : LiftedGanException(subject, problem);
