namespace LiftedGan.Demo;

/// <summary>A section of the demo page: a title, a short caption, its files and optionally a table.</summary>
public sealed record DemoSection(string Id, string Title, string Caption, IReadOnlyList<DemoItem> Items, DemoTable? Table = null);
