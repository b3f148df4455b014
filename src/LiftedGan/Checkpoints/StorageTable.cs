using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// Groups the tensors to be saved by the storage they view (one file entry per storage, as PyTorch writes it), so
/// tensors that share memory are loaded back sharing memory. Non-CPU tensors are copied to the CPU first.
/// </summary>
internal sealed class StorageTable : IDisposable
{
    /// <summary>One storage to write: the tensors' common base, its element type and the elements used.</summary>
    public sealed class Entry(string key, TensorDType type, Tensor anyView)
    {
        public string Key { get; } = key;
        public TensorDType Type { get; } = type;
        public Tensor AnyView { get; } = anyView;
        public long Numel { get; set; }

        /// <summary>The storage's first <see cref="Numel"/> elements as a contiguous 1-D tensor.</summary>
        public Tensor Data() => AnyView.detach().as_strided(new[] { Numel }, new long[] { 1 }, 0);
    }

    readonly Dictionary<Tensor, (Entry Entry, Tensor Cpu)> _byTensor = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<(nint, ScalarType), Entry> _byBase = new();
    readonly List<Tensor> _copies = new();
    public List<Entry> Entries { get; } = new();

    public StorageTable(IEnumerable<Tensor> tensors, string path)
    {
        foreach (var original in tensors)
        {
            var type = TensorDType.Of(original.dtype) ?? throw new ArgumentException($"{path}: dtype {original.dtype} cannot be saved");
            var t = original;
            if (t.device_type != DeviceType.CPU) { t = t.detach().cpu(); _copies.Add(t); }
            long last = t.storage_offset();
            for (int i = 0; i < t.Dimensions; i++)
                if (t.shape[i] > 0) last += (t.shape[i] - 1) * t.stride(i);
            Entry entry;
            if (t.numel() == 0)
            {
                entry = NewEntry(type, t);
            }
            else
            {
                var key = (BasePointer(t), t.dtype);
                if (!_byBase.TryGetValue(key, out entry!)) _byBase[key] = entry = NewEntry(type, t);
                entry.Numel = Math.Max(entry.Numel, last + 1);
            }
            _byTensor[original] = (entry, t);
        }
    }

    /// <summary>The storage entry of a tensor, and the CPU tensor whose offset and strides describe it there.</summary>
    public (Entry Entry, Tensor Cpu) Of(Tensor t) => _byTensor[t];

    Entry NewEntry(TensorDType type, Tensor t)
    {
        var e = new Entry(Entries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), type, t);
        Entries.Add(e);
        return e;
    }

    /// <summary>Address of the first byte of the storage a CPU tensor views (its identity while alive).</summary>
    internal static unsafe nint BasePointer(Tensor t)
    {
        using var first = t.detach().as_strided(new long[] { 1 }, new long[] { 1 }, 0);
        fixed (byte* p = first.bytes) return (nint)p;
    }

    public void Dispose()
    {
        foreach (var c in _copies) c.Dispose();
    }
}
