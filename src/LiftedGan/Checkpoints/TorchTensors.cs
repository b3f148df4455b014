namespace LiftedGan.Checkpoints;

/// <summary>
/// PyTorch's tensor pickling conventions: persistent ids naming storages, and the <c>torch._utils._rebuild_*</c>
/// functions, turned into validated <see cref="TensorSpec"/>s (offsets and strides must stay inside the storage).
/// </summary>
internal static class TorchTensors
{
    const int MaxDims = 64;

    /// <summary>Parses <c>('storage', torch.FloatStorage, key, location, numel[, None])</c>.</summary>
    public static StorageRef ParsePersistentId(object? pid)
    {
        if (pid is not PyTuple t || t.Count is < 5 or > 6 || t[0] is not "storage")
            throw new PickleDataException("persistent id is not a ('storage', ...) tuple");
        if (t[1] is not StorageClass cls) throw new PickleDataException("persistent id does not name a storage class");
        if (t[2] is not string key || key.Length == 0) throw new PickleDataException("storage key is not a string");
        if (t[3] is not string) throw new PickleDataException("storage location is not a string");
        if (t[4] is not long numel || numel < 0) throw new PickleDataException("storage size is not a non-negative int");
        if (t.Count == 6 && t[5] != null) throw new PickleDataException("storage views (files of PyTorch < 0.4) are not supported");
        return new StorageRef(key, cls.DType, numel);
    }

    /// <summary><c>_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])</c> or the 4-argument v1.</summary>
    public static TensorSpec Rebuild(PyTuple a, int minArgs)
    {
        if (a.Count < minArgs || a.Count > minArgs + 1) throw new PickleDataException($"tensor rebuild takes {minArgs} arguments, got {a.Count}");
        if (a[0] is not StorageRef storage) throw new PickleDataException("tensor rebuild without a storage");
        if (a[1] is not long offset || offset < 0) throw new PickleDataException("tensor storage offset is not a non-negative int");
        long[] shape = Ints(a[2], "size"), stride = Ints(a[3], "stride");
        if (shape.Length != stride.Length) throw new PickleDataException("tensor size and stride differ in length");
        bool requiresGrad = minArgs > 4 && a[4] is true;
        if (requiresGrad && !storage.DType.IsFloating) throw new PickleDataException($"a {storage.DType.Name} tensor cannot require gradients");
        CheckExtent(storage, offset, shape, stride);
        return new TensorSpec(storage, offset, shape, stride, requiresGrad);
    }

    /// <summary><c>_rebuild_parameter(data, requires_grad, hooks[, state])</c>.</summary>
    public static TensorSpec RebuildParameter(PyTuple a, int args)
    {
        if (a.Count != args || a[0] is not TensorSpec spec) throw new PickleDataException("parameter rebuild without a tensor");
        spec.IsParameter = true;
        spec.RequiresGrad = a[1] is true;
        if (spec.RequiresGrad && !spec.Storage.DType.IsFloating) throw new PickleDataException($"a {spec.Storage.DType.Name} parameter cannot require gradients");
        return spec;
    }

    static long[] Ints(object? o, string what)
    {
        if (o is not PyTuple t || t.Count > MaxDims) throw new PickleDataException($"tensor {what} is not a tuple of at most {MaxDims} ints");
        var r = new long[t.Count];
        for (int i = 0; i < r.Length; i++)
            r[i] = t[i] is long v && v >= 0 ? v : throw new PickleDataException($"tensor {what} has a bad entry");
        return r;
    }

    /// <summary>Checks that every element the view addresses lies inside the storage.</summary>
    public static void CheckExtent(StorageRef storage, long offset, long[] shape, long[] stride)
    {
        try
        {
            long numel = 1, last = offset;
            for (int i = 0; i < shape.Length; i++)
            {
                numel = checked(numel * shape[i]);
                if (shape[i] > 0) last = checked(last + (shape[i] - 1) * stride[i]);
            }
            if (numel > 0 ? last >= storage.Numel : offset > storage.Numel)
                throw new PickleDataException($"tensor reaches element {last} of storage '{storage.Key}' holding {storage.Numel}");
        }
        catch (OverflowException) { throw new PickleDataException("tensor size overflows"); }
    }
}
