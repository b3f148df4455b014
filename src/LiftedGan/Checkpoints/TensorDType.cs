using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The tensor element types checkpoints carry, with their names in each format: PyTorch storage classes
/// (<c>torch.FloatStorage</c>), Python dtype names (<c>float32</c>), safetensors codes (<c>F32</c>) and numpy codes (<c>f4</c>).
/// </summary>
public sealed record TensorDType(ScalarType Type, int Size, string Name, string StorageClass, string Safetensors, string Numpy)
{
    public static readonly IReadOnlyList<TensorDType> All = new TensorDType[]
    {
        new(ScalarType.Float32, 4, "float32", "FloatStorage", "F32", "f4"),
        new(ScalarType.Float16, 2, "float16", "HalfStorage", "F16", "f2"),
        new(ScalarType.BFloat16, 2, "bfloat16", "BFloat16Storage", "BF16", ""),
        new(ScalarType.Float64, 8, "float64", "DoubleStorage", "F64", "f8"),
        new(ScalarType.Int64, 8, "int64", "LongStorage", "I64", "i8"),
        new(ScalarType.Int32, 4, "int32", "IntStorage", "I32", "i4"),
        new(ScalarType.Int16, 2, "int16", "ShortStorage", "I16", "i2"),
        new(ScalarType.Int8, 1, "int8", "CharStorage", "I8", "i1"),
        new(ScalarType.Byte, 1, "uint8", "ByteStorage", "U8", "u1"),
        new(ScalarType.Bool, 1, "bool", "BoolStorage", "BOOL", "b1"),
    };

    /// <summary>True for the floating-point types (the only ones that can require gradients).</summary>
    public bool IsFloating => Type is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64;

    /// <summary>The entry for a TorchSharp scalar type, or null when checkpoints do not carry it.</summary>
    public static TensorDType? Of(ScalarType type) => All.FirstOrDefault(d => d.Type == type);

    /// <summary>The entry for a <c>torch.*Storage</c> class name, or null.</summary>
    public static TensorDType? OfStorageClass(string name) => All.FirstOrDefault(d => d.StorageClass == name);

    /// <summary>The entry for a safetensors dtype code, or null.</summary>
    public static TensorDType? OfSafetensors(string code) => All.FirstOrDefault(d => d.Safetensors == code);

    /// <summary>The entry for a numpy type code without byte order (<c>f4</c>, <c>?</c>, <c>b1</c>), or null.</summary>
    public static TensorDType? OfNumpy(string code) =>
        code == "?" ? All.First(d => d.Type == ScalarType.Bool) : All.FirstOrDefault(d => d.Numpy == code && code != "");

    /// <summary>The Python dtype name of a tensor's element type (<c>float32</c>, ...), or the TorchSharp name.</summary>
    public static string NameOf(ScalarType type) => Of(type)?.Name ?? type.ToString();

    /// <summary>Reverses the byte order of every element in place (big-endian files).</summary>
    public static void SwapBytes(Span<byte> data, int size)
    {
        if (size == 1) return;
        for (int i = 0; i + size <= data.Length; i += size) data.Slice(i, size).Reverse();
    }
}
