using System.Collections;

namespace LiftedGan.Checkpoints;

/// <summary>A Python tuple read from (or written to) a pickle: an immutable, ordered list of values.</summary>
public sealed class PyTuple : IReadOnlyList<object?>
{
    internal readonly object?[] Items;

    public PyTuple(params object?[] items) => Items = items;

    /// <summary>The empty tuple.</summary>
    public static PyTuple Empty { get; } = new();

    public object? this[int index] => Items[index];
    public int Count => Items.Length;
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => Items.GetEnumerator();
    public override string ToString() => $"tuple[{Items.Length}]";
}
