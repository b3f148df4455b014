using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>
/// Reads and writes PyTorch checkpoints without Python: the zip format and the legacy (PyTorch ≤ 1.5) format of
/// <c>torch.save</c>, plain pickles of numpy arrays, and safetensors. A loaded file is a Python value graph:
/// <see cref="PyDict"/>, <c>List&lt;object?&gt;</c>, <see cref="PyTuple"/>, string, long, BigInteger, double, bool,
/// null, byte[] and CPU <see cref="Tensor"/>s (views of one storage share memory, as in PyTorch).
/// </summary>
public static class TorchCheckpoint
{
    static CheckpointLimits? s_limits;

    /// <summary>
    /// The read budget used when none is passed: <see cref="CheckpointLimits.FromEnvironment"/> on first use
    /// (a bad environment value is an <see cref="ArgumentException"/> then), settable by the host.
    /// </summary>
    public static CheckpointLimits Limits
    {
        get => s_limits ??= CheckpointLimits.FromEnvironment();
        set => s_limits = value;
    }

    /// <summary>Loads any supported file (the format is taken from its content, not its extension).</summary>
    public static object? Load(string path) => Load(path, null);

    /// <summary>Loads any supported file under <paramref name="limits"/> (null: <see cref="Limits"/>).</summary>
    public static object? Load(string path, CheckpointLimits? limits)
    {
        using var file = Open(path);
        return Load(file, path, limits);
    }

    /// <summary>Loads from a seekable stream; <paramref name="name"/> is used in error messages.</summary>
    public static object? Load(Stream file, string name) => Load(file, name, null);

    /// <summary>Loads from a seekable stream under <paramref name="limits"/> (null: <see cref="Limits"/>).</summary>
    public static object? Load(Stream file, string name, CheckpointLimits? limits)
    {
        limits ??= Limits;
        TorchRuntime.EnsureLoaded();
        if (!file.CanSeek || !file.CanRead) throw new ArgumentException($"{name}: the stream must be readable and seekable");
        string path = name;
        using var scope = torch.NewDisposeScope();
        var value = CheckpointFile.Detect(file, path) switch
        {
            CheckpointFormat.TorchZip => TorchZipFormat.Read(file, path, limits),
            CheckpointFormat.Pickle => ReadPickle(file, path, limits),
            CheckpointFormat.Safetensors => Safetensors.ReadAsDict(file, path),
            var other => throw new CheckpointFormatException(path, $"unsupported format {other}"),
        };
        foreach (var t in ValueGraph.Tensors(value)) t.MoveToOuterDisposeScope();
        return value;
    }

    /// <summary>
    /// Loads the tensors of a state dict, flattening nested dicts with dots (non-tensor values are skipped).
    /// <paramref name="key"/> selects one top-level entry first (e.g. <c>"g_ema"</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> LoadStateDict(string path, string? key = null)
    {
        var root = Load(path);
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var selected = root;
            if (key != null)
            {
                if (root is not PyDict top || !top.TryGet(key, out selected))
                    throw new CheckpointFormatException(path, $"no top-level key '{key}' (keys: {KeyList(root)})");
            }
            if (selected is not PyDict dict) throw new CheckpointFormatException(path, $"{(key == null ? "the file" : $"'{key}'")} is not a dictionary");
            int visits = 0;
            Flatten(dict, "", result, path, 0, ref visits, new HashSet<PyDict>(ReferenceEqualityComparer.Instance));
            var keep = new HashSet<Tensor>(result.Values, ReferenceEqualityComparer.Instance);
            foreach (var t in ValueGraph.Tensors(root)) if (!keep.Contains(t)) t.Dispose();
            return result;
        }
        catch
        {
            DisposeTensors(root);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> (a value graph as <see cref="Load(string)"/> returns; name → tensor maps such as
    /// <see cref="StateDict.Export"/>'s are written as OrderedDicts) in the zip format that <c>torch.load</c> reads, atomically.
    /// </summary>
    public static void Save(string path, object? value) => TorchZipWriter.Write(path, value);

    /// <summary>Disposes every tensor in a value graph returned by <see cref="Load(string)"/>.</summary>
    public static void DisposeTensors(object? value)
    {
        foreach (var t in ValueGraph.Tensors(value)) t.Dispose();
    }

    const int MaxFlattenVisits = 1_000_000;

    static void Flatten(PyDict dict, string prefix, OrderedDictionary<string, Tensor> into, string path, int depth, ref int visits, HashSet<PyDict> open)
    {
        if (depth > ValueGraph.MaxDepth) throw new CheckpointFormatException(path, "dictionaries nested too deeply");
        if (!open.Add(dict)) throw new CheckpointFormatException(path, $"dictionary '{CheckpointLimits.Printable(prefix.TrimEnd('.'))}' contains itself");
        foreach (var (k, v) in dict)
        {
            // A dict shared under many keys (or containing itself) would otherwise be walked exponentially often.
            if (++visits > MaxFlattenVisits) throw new CheckpointFormatException(path, $"state dict flattens to more than {MaxFlattenVisits} entries");
            string name = prefix + CheckpointSummary.KeyText(k);
            if (v is Tensor t)
            {
                if (!into.TryAdd(name, t)) throw new CheckpointFormatException(path, $"key '{name}' appears twice after flattening");
            }
            else if (v is PyDict inner) Flatten(inner, name + ".", into, path, depth + 1, ref visits, open);
        }
        open.Remove(dict);
    }

    static string KeyList(object? root) =>
        root is PyDict d ? string.Join(", ", d.Keys.Take(20).Select(CheckpointSummary.KeyText)) : "none: not a dictionary";

    static object? ReadPickle(Stream file, string path, CheckpointLimits limits)
    {
        var first = new PickleMachine(file, path, null, limits).Run();
        if (first is System.Numerics.BigInteger magic && magic == LegacyFormat.Magic) return LegacyFormat.ReadAfterMagic(file, path, limits);
        return ValueGraph.Materialize(first, _ => throw new CheckpointFormatException(path, "storage outside a PyTorch file"), path);
    }

    internal static FileStream Open(string path)
    {
        if (Directory.Exists(path)) throw new CheckpointFormatException(path, "is a directory, not a checkpoint file");
        if (!File.Exists(path)) throw new CheckpointFormatException(path, "no such file");
        if (!LiftedGan.IO.FileKind.IsRegularFile(path)) throw new CheckpointFormatException(path, "is not a regular file (a FIFO, socket or device is refused)");
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot read: {e.Message}", e);
        }
    }
}
