namespace LiftedGan.Demo;

/// <summary>A small table on the demo page (e.g. loss terms at the first and last step of the lift).</summary>
public sealed record DemoTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);
