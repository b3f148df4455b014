namespace LiftedGan.Checkpoints;

/// <summary>
/// The allow-list of pickle globals: exactly the classes and functions real checkpoints use, each implemented here
/// without touching the named Python object. <see cref="Resolve"/> returns null for anything else, which the
/// pickle machine reports as an <see cref="UnsafePickleException"/>.
/// </summary>
internal static class SafeGlobals
{
    static readonly Dictionary<string, object> Table = Create();

    /// <summary>The implementation of <c>module.name</c>, or null when it is not allowed.</summary>
    public static object? Resolve(string module, string name) => Table.GetValueOrDefault($"{module}.{name}");

    static Dictionary<string, object> Create()
    {
        var t = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string name, Func<PyTuple, object?> call) => t[name] = new PyGlobal(name, call);

        Add("collections.OrderedDict", OrderedDict);
        Add("torch._utils._rebuild_tensor_v2", a => TorchTensors.Rebuild(a, 6));
        Add("torch._utils._rebuild_tensor", a => TorchTensors.Rebuild(a, 4));
        Add("torch._utils._rebuild_parameter", a => TorchTensors.RebuildParameter(a, 3));
        Add("torch._utils._rebuild_parameter_with_state", a => TorchTensors.RebuildParameter(a, 4));
        foreach (var d in TensorDType.All) t[$"torch.{d.StorageClass}"] = new StorageClass(d);
        t["torch.UntypedStorage"] = new StorageClass(TensorDType.Of(TorchSharp.torch.ScalarType.Byte)!);
        Add("argparse.Namespace", a => a.Count == 0 ? new PyDict { IsNamespace = true }
            : throw new PickleDataException("argparse.Namespace with constructor arguments"));
        foreach (var m in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Add($"{m}._reconstruct", NumpyArray.Reconstruct);
            Add($"{m}.scalar", NumpyDType.Scalar);
        }
        Add("numpy.ndarray", _ => throw new PickleDataException("numpy.ndarray can only be rebuilt through _reconstruct"));
        Add("numpy.dtype", NumpyDType.Create);
        Add("_codecs.encode", Latin1Encode);
        Add("builtins.bytes", EmptyBytes);
        Add("__builtin__.bytes", EmptyBytes);
        return t;
    }

    /// <summary>BUILD: restores state into an object made by an allowed global.</summary>
    public static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyDict { IsNamespace: true } ns:
                if (state is not PyDict fields) throw new PickleDataException("argparse.Namespace state is not a dict");
                foreach (var (k, v) in fields) ns.SetFromPickle(k, v, PickleMachine.ActiveLimits);
                break;
            case PyDict d:
                var attributes = state is PyTuple { Count: 2 } pair ? pair[0] : state;
                if (attributes == null) break;
                if (attributes is not PyDict a) throw new PickleDataException($"dict state is a {PickleMachine.Describe(attributes)}");
                if (d.Attributes == null) d.Attributes = a;
                else foreach (var (k, v) in a) d.Attributes.SetFromPickle(k, v, PickleMachine.ActiveLimits);
                break;
            case NumpyArray array: array.SetState(state); break;
            case NumpyDType dtype: dtype.SetState(state); break;
            default: throw new PickleDataException($"BUILD on a {PickleMachine.Describe(target)} is not supported");
        }
    }

    static object OrderedDict(PyTuple args)
    {
        var d = new PyDict { IsOrdered = true };
        if (args.Count == 0) return d;
        if (args.Count != 1 || args[0] is not List<object?> pairs) throw new PickleDataException("OrderedDict arguments are not a list of pairs");
        foreach (var p in pairs)
        {
            if (p is not PyTuple { Count: 2 } kv) throw new PickleDataException("OrderedDict item is not a pair");
            d.SetFromPickle(kv[0], kv[1], PickleMachine.ActiveLimits);
        }
        return d;
    }

    static object Latin1Encode(PyTuple args)
    {
        if (args.Count != 2 || args[0] is not string s || args[1] is not ("latin1" or "latin-1"))
            throw new PickleDataException("_codecs.encode is allowed only as encode(str, 'latin1')");
        PickleMachine.ChargeAllocation(s.Length, "_codecs.encode result");
        var bytes = new byte[s.Length];
        for (int i = 0; i < s.Length; i++)
            bytes[i] = s[i] <= 0xff ? (byte)s[i] : throw new PickleDataException("_codecs.encode: character beyond latin1");
        return bytes;
    }

    static object EmptyBytes(PyTuple args) =>
        args.Count == 0 ? Array.Empty<byte>() : throw new PickleDataException("bytes(...) with arguments is not supported");
}

/// <summary>A <c>torch.*Storage</c> class named in a persistent id.</summary>
internal sealed record StorageClass(TensorDType DType);
