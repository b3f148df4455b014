using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// A numpy array pickled as <c>_reconstruct(ndarray, (0,), b'b')</c> followed by BUILD with
/// <c>(version, shape, dtype, is_fortran, raw_bytes)</c>; becomes a CPU tensor once its state is set.
/// </summary>
internal sealed class NumpyArray
{
    public Tensor? Value { get; private set; }

    public static object Reconstruct(PyTuple args)
    {
        if (args.Count != 3 || args[0] is not PyGlobal { Name: "numpy.ndarray" })
            throw new PickleDataException("numpy _reconstruct is allowed only for numpy.ndarray");
        return new NumpyArray();
    }

    public void SetState(object? state)
    {
        if (Value is not null) throw new PickleDataException("numpy array built twice");
        if (state is not PyTuple { Count: 5 } s || s[1] is not PyTuple shapeTuple || s[2] is not NumpyDType dtype || s[3] is not bool fortran)
            throw new PickleDataException("numpy array state is not (version, shape, dtype, fortran, data)");
        // The copy (and, for a latin1 string, its conversion) is charged first: one memo-shared buffer may be rebuilt many times.
        PickleMachine.ChargeAllocation(s[4] switch { byte[] b => b.Length, string str => 2L * str.Length, _ => 0 }, "numpy array");
        byte[] raw = s[4] switch
        {
            byte[] b => b,
            string str when str.All(c => c <= 0xff) => str.Select(c => (byte)c).ToArray(),
            _ => throw new PickleDataException("numpy array data is not bytes (object arrays are not supported)"),
        };
        var type = dtype.Type;
        var shape = new long[shapeTuple.Count];
        long numel = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeTuple[i] is not long d || d < 0 || d > raw.Length) throw new PickleDataException("numpy array shape has a bad entry");
            shape[i] = d;
            numel = d == 0 ? 0 : numel * d;
            if (numel > raw.Length) throw new PickleDataException("numpy array shape larger than its data");
        }
        if (numel * type.Size != raw.Length) throw new PickleDataException($"numpy array data has {raw.Length} bytes, shape needs {numel * type.Size}");
        if (dtype.BigEndian) TensorDType.SwapBytes(raw, type.Size);
        using var scope = torch.NewDisposeScope();
        var t = torch.empty(fortran ? shape.Reverse().ToArray() : shape, dtype: type.Type);
        if (raw.Length > 0) raw.CopyTo(t.bytes);
        if (fortran && shape.Length > 1) t = t.permute(Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray()).contiguous();
        Value = t.MoveToOuterDisposeScope();
    }
}

/// <summary>A numpy dtype pickled as <c>numpy.dtype('f8', False, True)</c> plus BUILD with its byte order.</summary>
internal sealed class NumpyDType(TensorDType type)
{
    public TensorDType Type { get; } = type;
    public bool BigEndian { get; private set; }

    public static object Create(PyTuple args)
    {
        if (args.Count is < 1 or > 3 || args[0] is not string code) throw new PickleDataException("numpy.dtype arguments are not (code, align, copy)");
        bool big = code.StartsWith('>');
        var type = TensorDType.OfNumpy(code.TrimStart('<', '>', '|', '=')) ?? throw new PickleDataException($"numpy dtype '{code}' is not supported");
        return new NumpyDType(type) { BigEndian = big };
    }

    public void SetState(object? state)
    {
        if (state is not PyTuple { Count: >= 4 } s || s[1] is not string order || s[3] != null)
            throw new PickleDataException("numpy dtype state is not a plain (version, byteorder, ...) tuple");
        BigEndian = order == ">";
    }

    /// <summary><c>numpy.core.multiarray.scalar(dtype, bytes)</c>: a numpy scalar as a Python number.</summary>
    public static object Scalar(PyTuple args)
    {
        if (args.Count != 2 || args[0] is not NumpyDType d) throw new PickleDataException("numpy scalar arguments are not (dtype, bytes)");
        byte[] raw = args[1] switch
        {
            byte[] b => (byte[])b.Clone(),
            string s when s.All(c => c <= 0xff) => s.Select(c => (byte)c).ToArray(),
            _ => throw new PickleDataException("numpy scalar data is not bytes"),
        };
        if (raw.Length != d.Type.Size) throw new PickleDataException("numpy scalar data has the wrong size");
        if (d.BigEndian) Array.Reverse(raw);
        return d.Type.Type switch
        {
            ScalarType.Float32 => (double)BitConverter.ToSingle(raw),
            ScalarType.Float64 => BitConverter.ToDouble(raw),
            ScalarType.Float16 => (double)BitConverter.ToHalf(raw),
            ScalarType.Int64 => BitConverter.ToInt64(raw),
            ScalarType.Int32 => (long)BitConverter.ToInt32(raw),
            ScalarType.Int16 => (long)BitConverter.ToInt16(raw),
            ScalarType.Int8 => (long)(sbyte)raw[0],
            ScalarType.Byte => (long)raw[0],
            ScalarType.Bool => raw[0] != 0,
            _ => throw new PickleDataException($"numpy scalar of {d.Type.Name} is not supported"),
        };
    }
}
