namespace LiftedGan.Evaluation;

/// <summary>
/// The outcome of a comparison. <see cref="FidLabel"/> / <see cref="KidLabel"/> are the metric names to print
/// ("FID", or "FID(hashed-inception)" etc. for substitute features); KID is null when a side has no features (an
/// official statistics file). <see cref="Warnings"/> lists what makes the numbers less trustworthy.
/// </summary>
public sealed record FidResult(
    string FidLabel, double Fid, string KidLabel, double? KidMean, double? KidStd,
    string DescriptionA, long CountA, string DescriptionB, long CountB, string Network, IReadOnlyList<string> Warnings);
