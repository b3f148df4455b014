using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>Walks a loaded Python value graph: turns tensor descriptions into tensors, finds and disposes tensors.</summary>
internal static class ValueGraph
{
    /// <summary>Deepest nesting of containers accepted (Python's own recursion limit is 1000).</summary>
    public const int MaxDepth = 500;

    /// <summary>
    /// Replaces every <see cref="TensorSpec"/> and <see cref="NumpyArray"/> in place by a tensor: a view of its
    /// storage (one storage tensor per key, so views share memory). <paramref name="storage"/> returns a 1-D tensor
    /// of exactly <see cref="StorageRef.Numel"/> elements.
    /// </summary>
    public static object? Materialize(object? root, Func<StorageRef, Tensor> storage, string path)
    {
        var made = new Dictionary<object, Tensor>(ReferenceEqualityComparer.Instance);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);

        object? Value(object? o, int depth)
        {
            switch (o)
            {
                case TensorSpec spec:
                    if (!made.TryGetValue(spec, out var t)) made[spec] = t = Make(spec, storage);
                    return t;
                case NumpyArray array:
                    return array.Value ?? throw new CheckpointFormatException(path, "numpy array without data (no BUILD)");
                case StorageRef:
                    throw new CheckpointFormatException(path, "bare storage objects are not supported");
                case PyGlobal or StorageClass or NumpyDType:
                    throw new CheckpointFormatException(path, $"a {PickleMachine.Describe(o)} object cannot be part of the loaded value");
            }
            if (o is not (List<object?> or PyTuple or PyDict) || !visited.Add(o)) return o;
            if (depth > MaxDepth) throw new CheckpointFormatException(path, $"containers nested deeper than {MaxDepth}");
            switch (o)
            {
                case List<object?> list:
                    for (int i = 0; i < list.Count; i++) list[i] = Value(list[i], depth + 1);
                    break;
                case PyTuple tuple:
                    for (int i = 0; i < tuple.Items.Length; i++) tuple.Items[i] = Value(tuple.Items[i], depth + 1);
                    break;
                case PyDict dict:
                    for (int i = 0; i < dict.Count; i++) dict.ReplaceValueAt(i, Value(dict.Values[i], depth + 1));
                    if (dict.Attributes != null) Value(dict.Attributes, depth + 1);
                    break;
            }
            return o;
        }

        return Value(root, 0);
    }

    static Tensor Make(TensorSpec spec, Func<StorageRef, Tensor> storage)
    {
        var view = storage(spec.Storage).as_strided(spec.Shape, spec.Stride, spec.Offset);
        if (spec.IsParameter) return new Parameter(view, spec.RequiresGrad);
        return spec.RequiresGrad ? view.requires_grad_(true) : view;
    }

    /// <summary>Every distinct tensor in the graph (each once), in first-seen order.</summary>
    public static List<Tensor> Tensors(object? root)
    {
        var found = new List<Tensor>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var o = pending.Pop();
            if (o == null || !visited.Add(o)) continue;
            switch (o)
            {
                case Tensor t: found.Add(t); break;
                case IEnumerable<KeyValuePair<string, Tensor>> map: foreach (var kv in map.Reverse()) pending.Push(kv.Value); break;
                case List<object?> list: for (int i = list.Count - 1; i >= 0; i--) pending.Push(list[i]); break;
                case PyTuple tuple: for (int i = tuple.Count - 1; i >= 0; i--) pending.Push(tuple[i]); break;
                case PyDict dict:
                    if (dict.Attributes != null) pending.Push(dict.Attributes);
                    for (int i = dict.Count - 1; i >= 0; i--) { pending.Push(dict.Values[i]); pending.Push(dict.Keys[i]); }
                    break;
            }
        }
        return found;
    }
}
