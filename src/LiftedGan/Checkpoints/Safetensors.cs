using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LiftedGan.IO;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Checkpoints;

/// <summary>The tensors and string metadata of a safetensors file.</summary>
public sealed record SafetensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// safetensors reader and writer: an 8-byte little-endian header length, a JSON header
/// (<c>{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}</c>) and the raw little-endian data.
/// </summary>
public static class Safetensors
{
    const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads the tensors, in header order.</summary>
    public static IReadOnlyDictionary<string, Tensor> Load(string path) => Read(path).Tensors;

    /// <summary>Reads the tensors and the <c>__metadata__</c> strings.</summary>
    public static SafetensorsContent Read(string path)
    {
        TorchRuntime.EnsureLoaded();
        using var file = TorchCheckpoint.Open(path);
        using var scope = torch.NewDisposeScope();
        var content = Read(file, path);
        foreach (var t in content.Tensors.Values) t.MoveToOuterDisposeScope();
        return content;
    }

    /// <summary>Writes tensors (made contiguous, on CPU) and optional metadata, atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var data = new List<Tensor>();
        using var headerBuffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerBuffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (name == "__metadata__") throw new ArgumentException($"{path}: '__metadata__' cannot name a tensor");
                var type = TensorDType.Of(tensor.dtype) ?? throw new ArgumentException($"{path}: tensor '{name}' has unsupported dtype {tensor.dtype}");
                var c = tensor.detach().cpu().contiguous();
                data.Add(c);
                long bytes = c.numel() * type.Size;
                json.WriteStartObject(name);
                json.WriteString("dtype", type.Safetensors);
                json.WriteStartArray("shape");
                foreach (var d in c.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        var header = headerBuffer.ToArray();
        int padded = (header.Length + 7) / 8 * 8;
        using var stream = AtomicFile.Create(path, out var commit);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(header);
        for (int i = header.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var t in data) TensorBytes.Write(stream, t);
        commit();
    }

    /// <summary>The file as a dict of tensors (plus <c>__metadata__</c> as a dict of strings when present).</summary>
    internal static PyDict ReadAsDict(Stream file, string path)
    {
        var content = Read(file, path);
        var dict = new PyDict();
        if (content.Metadata.Count > 0)
        {
            var meta = new PyDict();
            foreach (var (k, v) in content.Metadata) meta.Set(k, v);
            dict.Set("__metadata__", meta);
        }
        foreach (var (k, v) in content.Tensors) dict.Set(k, v);
        return dict;
    }

    static SafetensorsContent Read(Stream file, string path)
    {
        Span<byte> head = stackalloc byte[8];
        if (file.Length < 8) throw new CheckpointFormatException(path, "truncated safetensors header");
        file.Position = 0;
        file.ReadExactly(head);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(file.Length - 8))
            throw new CheckpointFormatException(path, $"safetensors header length {headerLength} is beyond the file");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        long dataStart = 8 + (long)headerLength, dataLength = file.Length - dataStart;

        var entries = new List<(string Name, TensorDType Type, long[] Shape, long Begin, long Numel)>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(path, "safetensors header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    foreach (var m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                            : throw new CheckpointFormatException(path, "safetensors metadata values must be strings");
                    continue;
                }
                entries.Add(ParseEntry(p, dataLength, path));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            throw new CheckpointFormatException(path, $"bad safetensors header: {e.Message}", e);
        }

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, type, shape, begin, numel) in entries)
        {
            file.Position = dataStart + begin;
            if (!tensors.TryAdd(name, StorageData.Read(file, type, numel, bigEndian: false).view(shape)))
                throw new CheckpointFormatException(path, $"tensor '{name}' appears twice");
        }
        return new SafetensorsContent(tensors, metadata);
    }

    static (string, TensorDType, long[], long, long) ParseEntry(JsonProperty p, long dataLength, string path)
    {
        var e = p.Value;
        var type = TensorDType.OfSafetensors(e.GetProperty("dtype").GetString() ?? "")
                   ?? throw new CheckpointFormatException(path, $"tensor '{p.Name}' has an unsupported dtype");
        var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long numel = 1;
        foreach (var d in shape)
        {
            if (d < 0 || (d > 0 && numel > dataLength / d)) throw new CheckpointFormatException(path, $"tensor '{p.Name}' has a bad shape");
            numel *= d;
        }
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength
            || offsets[1] - offsets[0] != numel * type.Size)
            throw new CheckpointFormatException(path, $"tensor '{p.Name}' has data offsets that do not match its shape or the file");
        return (p.Name, type, shape, offsets[0], numel);
    }
}
