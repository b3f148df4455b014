using System.Globalization;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>One flattened entry of a checkpoint: a tensor (shape, dtype, element count) or a plain value.</summary>
public sealed record CheckpointEntry(string Key, long[]? Shape, string? DType, long Numel, string? Value)
{
    public bool IsTensor => Shape != null;
}

/// <summary>
/// A checkpoint flattened to dotted keys (<c>g_ema.convs.3.conv.weight</c>; list items by index) with totals:
/// what <c>liftedgan inspect</c> prints.
/// </summary>
public sealed class CheckpointSummary
{
    const int MaxEntries = 1_000_000;

    public IReadOnlyList<CheckpointEntry> Entries { get; }
    /// <summary>Distinct tensors (a tensor referenced twice counts once).</summary>
    public int TensorCount { get; }
    /// <summary>Elements of all distinct tensors: the parameter (and buffer) count.</summary>
    public long TotalElements { get; }
    /// <summary>Bytes of all distinct tensors.</summary>
    public long TotalBytes { get; }

    CheckpointSummary(List<CheckpointEntry> entries, int count, long elements, long bytes)
    {
        Entries = entries;
        TensorCount = count;
        TotalElements = elements;
        TotalBytes = bytes;
    }

    /// <summary>Flattens a value graph returned by <see cref="TorchCheckpoint.Load(string)"/>.</summary>
    public static CheckpointSummary Of(object? root)
    {
        var entries = new List<CheckpointEntry>();
        var seenContainers = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var seenTensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        long elements = 0, bytes = 0;

        void Add(CheckpointEntry e)
        {
            if (entries.Count >= MaxEntries) throw new ArgumentException($"checkpoint has more than {MaxEntries} entries");
            entries.Add(e);
        }

        void Visit(string key, object? value, int depth)
        {
            if (value is Tensor t)
            {
                if (seenTensors.Add(t))
                {
                    // Views may claim up to 2^63 elements each; totals saturate instead of wrapping to nonsense.
                    elements = SaturatingAdd(elements, t.numel());
                    bytes = SaturatingAdd(bytes, t.numel() > long.MaxValue / t.element_size() ? long.MaxValue : t.numel() * t.element_size());
                }
                Add(new CheckpointEntry(key, t.shape, TensorDType.NameOf(t.dtype), t.numel(), null));
                return;
            }
            bool plainTuple = value is PyTuple tuple && tuple.All(i => i is not (Tensor or PyDict or List<object?> or PyTuple));
            if (plainTuple || value is not (PyDict { Count: > 0 } or List<object?> { Count: > 0 } or PyTuple { Count: > 0 }))
            {
                Add(new CheckpointEntry(key, null, null, 0, Repr(value)));
                return;
            }
            if (seenContainers.TryGetValue(value, out var first))
            {
                Add(new CheckpointEntry(key, null, null, 0, $"<same object as '{first}'>"));
                return;
            }
            if (depth > ValueGraph.MaxDepth) throw new ArgumentException($"checkpoint nested deeper than {ValueGraph.MaxDepth}");
            seenContainers[value] = key;
            string prefix = key.Length == 0 ? "" : key + ".";
            switch (value)
            {
                case PyDict d: foreach (var (k, v) in d) Visit(prefix + KeyText(k), v, depth + 1); break;
                case List<object?> l: for (int i = 0; i < l.Count; i++) Visit(prefix + i.ToString(CultureInfo.InvariantCulture), l[i], depth + 1); break;
                case PyTuple p: for (int i = 0; i < p.Count; i++) Visit(prefix + i.ToString(CultureInfo.InvariantCulture), p[i], depth + 1); break;
            }
        }

        Visit("", root, 0);
        return new CheckpointSummary(entries, seenTensors.Count, elements, bytes);
    }

    static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A dict key as it appears in a dotted path (strings as they are, other keys as Python prints them).</summary>
    public static string KeyText(object? key) => key is string s ? s : Repr(key);

    /// <summary>
    /// A plain value as Python's <c>repr</c> would show it (containers only by kind and size; tuples item by item, at
    /// most <see cref="MaxReprParts"/> parts and 8 levels deep, the rest as <c>...</c>).
    /// </summary>
    public static string Repr(object? value)
    {
        int budget = MaxReprParts;
        return Repr(value, 0, ref budget);
    }

    const int MaxReprParts = 256;

    static string Repr(object? value, int depth, ref int budget)
    {
        if (value is not PyTuple { Count: > 0 } t) return ReprFlat(value);
        if (depth >= 8 || budget <= 0) return "...";
        var sb = new StringBuilder("(");
        for (int i = 0; i < t.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            if (--budget < 0) { sb.Append("..."); break; }
            sb.Append(Repr(t[i], depth + 1, ref budget));
        }
        return sb.Append(t.Count == 1 ? ",)" : ")").ToString();
    }

    static string ReprFlat(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => Quote(s),
        byte[] bytes => $"bytes[{bytes.Length}]",
        PyDict d => d.Count == 0 ? (d.IsOrdered ? "OrderedDict()" : "{}") : d.ToString(),
        List<object?> l => l.Count == 0 ? "[]" : $"list[{l.Count}]",
        PyTuple => "()",
        Tensor t => $"tensor({string.Join("x", t.shape)}, {TensorDType.NameOf(t.dtype)})",
        _ => value.GetType().Name,
    };

    static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        string r = d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        return r.Contains('.') || r.Contains('e') ? r : r + ".0";
    }

    static string Quote(string s)
    {
        var sb = new StringBuilder("'");
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return sb.Append('\'').ToString();
    }
}
