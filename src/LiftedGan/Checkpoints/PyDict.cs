using System.Collections;
using System.Numerics;

namespace LiftedGan.Checkpoints;

/// <summary>
/// A Python dict or OrderedDict read from a pickle: keeps insertion order and key types (str, int, tuple, ...).
/// <see cref="Attributes"/> holds instance attributes restored by a pickle BUILD (a state_dict's <c>_metadata</c>).
/// </summary>
public sealed class PyDict : IEnumerable<KeyValuePair<object?, object?>>
{
    readonly List<object?> _keys = new();
    readonly List<object?> _values = new();
    readonly Dictionary<object, int> _index = new(KeyComparer.Instance);

    /// <summary>True for <c>collections.OrderedDict</c> (written back as one), false for a plain dict.</summary>
    public bool IsOrdered { get; init; }

    /// <summary>Made by <c>argparse.Namespace</c>: BUILD merges its state into the items instead of the attributes.</summary>
    internal bool IsNamespace { get; init; }

    /// <summary>Instance attributes set by BUILD (e.g. <c>_metadata</c> of a state_dict), or null.</summary>
    public PyDict? Attributes { get; set; }

    public int Count => _keys.Count;
    public IReadOnlyList<object?> Keys => _keys;
    public IReadOnlyList<object?> Values => _values;

    /// <summary>Value of a string key; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public object? this[string key]
    {
        get => TryGet(key, out var v) ? v : throw new KeyNotFoundException($"no key '{key}'");
        set => Set(key, value);
    }

    /// <summary>Looks a key up (any key type).</summary>
    public bool TryGet(object? key, out object? value)
    {
        if (_index.TryGetValue(KeyComparer.Wrap(key), out int i)) { value = _values[i]; return true; }
        value = null;
        return false;
    }

    /// <summary>Looks a string key up.</summary>
    public bool TryGet(string key, out object? value) => TryGet((object)key, out value);

    public bool ContainsKey(object? key) => _index.ContainsKey(KeyComparer.Wrap(key));

    /// <summary>
    /// Sets a key; a new key goes to the end, an existing key keeps its position (Python semantics). Keys are plain
    /// hashable values (None, bool, int, float, str, bytes, tuples of them) of bounded size; others throw
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public void Set(object? key, object? value)
    {
        if (KeyProblem(key, DefaultKeyNodes, KeyComparer.MaxDepth) is { } problem) throw new ArgumentException(problem, nameof(key));
        SetChecked(key, value);
    }

    /// <summary>Sets a key read from a pickle: a bad key throws <see cref="PickleDataException"/>.</summary>
    internal void SetFromPickle(object? key, object? value, CheckpointLimits limits)
    {
        if (KeyProblem(key, limits.MaxKeyNodes, Math.Min(limits.MaxKeyDepth, KeyComparer.MaxDepth)) is { } problem)
            throw new PickleDataException(problem);
        SetChecked(key, value);
    }

    const int DefaultKeyNodes = 256;

    /// <summary>
    /// Why <paramref name="key"/> cannot be a dict key, or null: it must be a plain value or a tuple of them, nested at
    /// most <paramref name="maxDepth"/> tuples deep and of at most <paramref name="maxNodes"/> nodes (a tuple shared
    /// several times counts each time, so hashing, comparing and printing a key cost at most that many steps).
    /// Iterative: a key nested a million deep is rejected without recursion.
    /// </summary>
    internal static string? KeyProblem(object? key, int maxNodes, int maxDepth)
    {
        if (key is null or bool or long or int or BigInteger or double or string or byte[]) return null;
        var pending = new Stack<(object? Value, int Depth)>();
        pending.Push((key, 0));
        int nodes = 0;
        while (pending.Count > 0)
        {
            var (o, depth) = pending.Pop();
            if (++nodes > maxNodes) return $"dict key has more than {maxNodes} parts";
            switch (o)
            {
                case null or bool or long or int or BigInteger or double or string or byte[]: break;
                case PyTuple t:
                    if (depth >= maxDepth) return $"dict key has tuples nested deeper than {maxDepth}";
                    if (t.Count > maxNodes) return $"dict key has more than {maxNodes} parts";
                    foreach (var item in t.Items) pending.Push((item, depth + 1));
                    break;
                default: return $"unsupported dict key type {PickleMachine.Describe(o)}";
            }
        }
        return null;
    }

    void SetChecked(object? key, object? value)
    {
        var k = KeyComparer.Wrap(key);
        if (_index.TryGetValue(k, out int i)) { _values[i] = value; return; }
        _index[k] = _keys.Count;
        _keys.Add(key);
        _values.Add(value);
    }

    internal void ReplaceValueAt(int i, object? value) => _values[i] = value;

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator()
    {
        for (int i = 0; i < _keys.Count; i++) yield return new(_keys[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => $"{(IsOrdered ? "OrderedDict" : "dict")}[{Count}]";

    /// <summary>Python-like key equality: values for str/int/float/bool/None, element-wise for tuples (depth-capped).</summary>
    sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();
        static readonly object NoneKey = new();
        public const int MaxDepth = 8;

        public static object Wrap(object? key) => key switch
        {
            null => NoneKey,
            int i => (long)i,
            BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
            _ => key,
        };

        public new bool Equals(object? a, object? b) => Same(a, b, 0);

        static bool Same(object? a, object? b, int depth)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is PyTuple ta && b is PyTuple tb)
            {
                if (depth >= MaxDepth || ta.Count != tb.Count) return false;
                for (int i = 0; i < ta.Count; i++)
                    if (!Same(Wrap(ta[i]), Wrap(tb[i]), depth + 1)) return false;
                return true;
            }
            return a switch
            {
                string s => b is string t && s == t,
                long l => b is long m && l == m,
                BigInteger x => b is BigInteger y && x == y,
                double d => b is double e && d.Equals(e),
                bool f => b is bool g && f == g,
                _ => false,
            };
        }

        public int GetHashCode(object o) => Hash(o, 0);

        static int Hash(object o, int depth)
        {
            if (o is PyTuple t)
            {
                if (depth >= MaxDepth) return t.Count;
                var h = new HashCode();
                foreach (var item in t) h.Add(Hash(Wrap(item), depth + 1));
                return h.ToHashCode();
            }
            return o is string or long or BigInteger or double or bool ? o.GetHashCode()
                : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o);
        }
    }
}
