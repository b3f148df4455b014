using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// Writes a Python value graph as a protocol-2 pickle the way <c>torch.save</c> does: tensors become
/// <c>_rebuild_tensor_v2</c> (or <c>_rebuild_parameter</c>) calls on persistent storage ids, dicts with
/// attributes get a BUILD, shared containers and tensors are memoized so identity and cycles survive.
/// </summary>
internal sealed class PickleWriter(StorageTable storages, string path)
{
    readonly MemoryStream _out = new();
    readonly Dictionary<object, int> _memo = new(ReferenceEqualityComparer.Instance);

    public byte[] Write(object? value)
    {
        _out.WriteByte(0x80);
        _out.WriteByte(2);
        Save(value, 0);
        _out.WriteByte((byte)'.');
        return _out.ToArray();
    }

    void Save(object? v, int depth)
    {
        if (depth > ValueGraph.MaxDepth) throw new ArgumentException($"{path}: value nested deeper than {ValueGraph.MaxDepth}");
        if (v != null && !(v is string or ValueType) && _memo.TryGetValue(v, out int index)) { Get(index); return; }
        switch (v)
        {
            case null: Op('N'); break;
            case bool b: Op(b ? 0x88 : 0x89); break;
            case int i: Int(i); break;
            case long l: Int(l); break;
            case BigInteger big: Long(big); break;
            case float f: Float(f); break;
            case double d: Float(d); break;
            case string s: Unicode(s); break;
            case byte[] bytes: Bytes(bytes); break;
            case PyTuple t: Tuple(t, depth); break;
            case List<object?> list: List(list, depth); break;
            case PyDict dict: Dict(dict, depth); break;
            case Tensor tensor: TensorValue(tensor); break;
            case IEnumerable<KeyValuePair<string, Tensor>> map: Dict(StateDictOf(map), depth); break;
            default: throw new ArgumentException($"{path}: cannot save a value of type {v.GetType().Name}");
        }
    }

    void Tuple(PyTuple t, int depth)
    {
        if (t.Count == 0) { Op(')'); return; }
        if (t.Count > 3) Op('(');
        foreach (var item in t) Save(item, depth + 1);
        Op(t.Count switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => 't' });
        Put(t);
    }

    void List(List<object?> list, int depth)
    {
        Op(']');
        Put(list);
        for (int start = 0; start < list.Count; start += 1000)
        {
            Op('(');
            for (int i = start; i < Math.Min(list.Count, start + 1000); i++) Save(list[i], depth + 1);
            Op('e');
        }
    }

    void Dict(PyDict dict, int depth)
    {
        if (dict.Attributes != null && !dict.IsOrdered)
            throw new ArgumentException($"{path}: a plain dict cannot carry attributes in Python; make it an OrderedDict");
        if (dict.IsOrdered) { Global("collections", "OrderedDict"); Op(')'); Op('R'); }
        else Op('}');
        Put(dict);
        var keys = dict.Keys;
        var values = dict.Values;
        for (int start = 0; start < keys.Count; start += 1000)
        {
            Op('(');
            for (int i = start; i < Math.Min(keys.Count, start + 1000); i++) { Save(keys[i], depth + 1); Save(values[i], depth + 1); }
            Op('u');
        }
        if (dict.Attributes != null) { Save(dict.Attributes, depth + 1); Op('b'); }
    }

    /// <summary>A name → tensor map (e.g. from <see cref="StateDict.Export"/>) is written as an OrderedDict.</summary>
    static PyDict StateDictOf(IEnumerable<KeyValuePair<string, Tensor>> map)
    {
        var d = new PyDict { IsOrdered = true };
        foreach (var (k, v) in map) d.Set(k, v);
        return d;
    }

    void TensorValue(Tensor tensor)
    {
        var (entry, cpu) = storages.Of(tensor);
        bool parameter = tensor is Parameter;
        if (parameter) Global("torch._utils", "_rebuild_parameter");
        Global("torch._utils", "_rebuild_tensor_v2");
        Op('(');
        Op('(');
        Unicode("storage");
        Global("torch", entry.Type.StorageClass);
        Unicode(entry.Key);
        Unicode("cpu");
        Int(entry.Numel);
        Op('t');
        Op('Q');
        Int(cpu.numel() == 0 ? 0 : cpu.storage_offset());
        Ints(cpu.shape);
        Ints(cpu.stride());
        Op(!parameter && tensor.requires_grad ? 0x88 : 0x89);
        EmptyOrderedDict();
        Op('t');
        Op('R');
        if (parameter)
        {
            Op(tensor.requires_grad ? 0x88 : 0x89);
            EmptyOrderedDict();
            Op(0x87);
            Op('R');
        }
        Put(tensor);
    }

    void EmptyOrderedDict() { Global("collections", "OrderedDict"); Op(')'); Op('R'); }

    void Ints(long[] values)
    {
        if (values.Length > 3) Op('(');
        foreach (var v in values) Int(v);
        Op(values.Length switch { 0 => ')', 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => 't' });
    }

    void Int(long v)
    {
        if (v is >= 0 and < 256) { Op('K'); _out.WriteByte((byte)v); }
        else if (v is >= 0 and < 65536) { Op('M'); Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); _out.Write(b); }
        else if (v is >= int.MinValue and <= int.MaxValue) { Op('J'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); _out.Write(b); }
        else Long(v);
    }

    void Long(BigInteger v)
    {
        var bytes = v.IsZero ? Array.Empty<byte>() : v.ToByteArray(isUnsigned: false, isBigEndian: false);
        if (bytes.Length < 256) { Op(0x8a); _out.WriteByte((byte)bytes.Length); }
        else { Op(0x8b); Span<byte> n = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(n, bytes.Length); _out.Write(n); }
        _out.Write(bytes);
    }

    void Float(double d)
    {
        Op('G');
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, d);
        _out.Write(b);
    }

    void Unicode(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op('X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(n, (uint)bytes.Length);
        _out.Write(n);
        _out.Write(bytes);
    }

    /// <summary>Protocol 2 has no bytes opcode: Python writes <c>_codecs.encode(latin1_text, 'latin1')</c>.</summary>
    void Bytes(byte[] bytes)
    {
        if (bytes.Length == 0) { Global("__builtin__", "bytes"); Op(')'); Op('R'); }
        else
        {
            Global("_codecs", "encode");
            Unicode(Encoding.Latin1.GetString(bytes));
            Unicode("latin1");
            Op(0x86);
            Op('R');
        }
        Put(bytes);
    }

    void Global(string module, string name)
    {
        Op('c');
        _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    void Put(object o)
    {
        int index = _memo.Count;
        _memo[o] = index;
        if (index < 256) { Op('q'); _out.WriteByte((byte)index); }
        else { Op('r'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)index); _out.Write(b); }
    }

    void Get(int index)
    {
        if (index < 256) { Op('h'); _out.WriteByte((byte)index); }
        else { Op('j'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)index); _out.Write(b); }
    }

    void Op(int code) => _out.WriteByte((byte)code);
}
