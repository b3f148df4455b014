namespace LiftedGan.Checkpoints;

/// <summary>A storage named by a persistent id: its file key, element type and element count.</summary>
internal sealed record StorageRef(string Key, TensorDType DType, long Numel);

/// <summary>A tensor described by a pickle (storage, offset, shape, strides); made into a TorchSharp tensor later.</summary>
internal sealed class TensorSpec(StorageRef storage, long offset, long[] shape, long[] stride, bool requiresGrad)
{
    public StorageRef Storage { get; } = storage;
    public long Offset { get; } = offset;
    public long[] Shape { get; } = shape;
    public long[] Stride { get; } = stride;
    public bool RequiresGrad { get; set; } = requiresGrad;
    public bool IsParameter { get; set; }
}

/// <summary>An allow-listed global: a class or function that the machine implements itself.</summary>
internal sealed class PyGlobal(string name, Func<PyTuple, object?> call)
{
    public string Name { get; } = name;

    /// <summary>REDUCE / NEWOBJ: builds the value from the argument tuple (throws <see cref="PickleDataException"/>).</summary>
    public object? Call(PyTuple args) => call(args);
    public override string ToString() => Name;
}

/// <summary>A malformed value inside an otherwise readable pickle; the machine adds the file name.</summary>
internal sealed class PickleDataException(string problem) : Exception(problem);
