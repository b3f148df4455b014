using System.Numerics;
using System.Text.Json;
using LiftedGan.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>Committed checkpoint test files and a checker for the reader fixture's expected-content JSON.</summary>
internal static class CheckpointTestData
{
    public static string File(string name) => Path.Combine(Shared.RepoRoot, "tests", "LiftedGan.Tests", "Checkpoints", "Data", name);

    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}{extension}");

    /// <summary>
    /// Asserts that <paramref name="actual"/> is exactly what reader_test_expected.json's <c>top_level</c> describes:
    /// container types, key order and key types, values, and for every tensor dtype, shape, stride, storage offset,
    /// storage size, values bit for bit, parameter-ness and which tensors share a storage.
    /// </summary>
    public static void AssertMatchesExpected(object? actual)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File("reader_test_expected.json")));
        var tensors = new Dictionary<string, (Tensor Tensor, JsonElement Spec)>();
        Match(doc.RootElement.GetProperty("top_level"), actual, new List<string>(), tensors);
        Assert.True(tensors.Count >= 30, $"only {tensors.Count} tensors checked");

        foreach (var (path, (tensor, spec)) in tensors)
        {
            var expectedPartners = spec.TryGetProperty("shares_storage_with", out var s)
                ? s.EnumerateArray().Select(p => string.Join("/", p.EnumerateArray().Select(k => k.ToString()))).ToHashSet()
                : new HashSet<string>();
            if (tensor.numel() == 0) continue;
            nint mine = StorageTable.BasePointer(tensor);
            foreach (var (other, (t2, _)) in tensors)
            {
                if (other == path || t2.numel() == 0) continue;
                bool shares = StorageTable.BasePointer(t2) == mine;
                Assert.True(shares == expectedPartners.Contains(other), $"{path} and {other}: shares storage = {shares}");
            }
        }
    }

    static void Match(JsonElement e, object? actual, List<string> path, Dictionary<string, (Tensor, JsonElement)> tensors)
    {
        string where = "/" + string.Join("/", path);
        switch (e.ValueKind)
        {
            case JsonValueKind.Null: Assert.Null(actual); return;
            case JsonValueKind.True: Assert.Equal(true, actual); return;
            case JsonValueKind.False: Assert.Equal(false, actual); return;
            case JsonValueKind.String: Assert.Equal(e.GetString(), Assert.IsType<string>(actual)); return;
            case JsonValueKind.Number:
                if (e.TryGetInt64(out long l) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e'))
                    Assert.True(actual is long a && a == l, $"{where}: expected int {l}, got {actual}");
                else
                    Assert.True(actual is double d && d == e.GetDouble(), $"{where}: expected float {e.GetDouble():R}, got {actual}");
                return;
            case JsonValueKind.Array:
            {
                var list = Assert.IsType<List<object?>>(actual);
                Assert.Equal(e.GetArrayLength(), list.Count);
                int i = 0;
                foreach (var item in e.EnumerateArray()) { Match(item, list[i], With(path, i.ToString()), tensors); i++; }
                return;
            }
        }
        string type = e.GetProperty("__type__").GetString()!;
        switch (type)
        {
            case "int":
                Assert.Equal(BigInteger.Parse(e.GetProperty("decimal").GetString()!), Assert.IsType<BigInteger>(actual));
                break;
            case "tuple":
            {
                var t = Assert.IsType<PyTuple>(actual);
                var items = e.GetProperty("items");
                Assert.Equal(items.GetArrayLength(), t.Count);
                int i = 0;
                foreach (var item in items.EnumerateArray()) { Match(item, t[i], With(path, i.ToString()), tensors); i++; }
                break;
            }
            case "dict" or "OrderedDict":
            {
                var d = Assert.IsType<PyDict>(actual);
                Assert.True(d.IsOrdered == (type == "OrderedDict"), $"{where}: dict kind");
                var items = e.GetProperty("items");
                Assert.Equal(items.GetArrayLength(), d.Count);
                int i = 0;
                foreach (var pair in items.EnumerateArray())
                {
                    var key = pair[0];
                    object expectedKey = key.ValueKind == JsonValueKind.Number ? key.GetInt64() : key.GetString()!;
                    Assert.Equal(expectedKey, d.Keys[i]);
                    Match(pair[1], d.Values[i], With(path, key.ToString()), tensors);
                    i++;
                }
                if (e.TryGetProperty("attributes", out var attributes))
                {
                    Assert.NotNull(d.Attributes);
                    var names = attributes.EnumerateObject().ToList();
                    Assert.Equal(names.Count, d.Attributes!.Count);
                    foreach (var a in names) Match(a.Value, d.Attributes[a.Name], With(path, "@" + a.Name), tensors);
                }
                else Assert.Null(d.Attributes);
                break;
            }
            case "tensor":
                MatchTensor(e, Assert.IsAssignableFrom<Tensor>(actual), where);
                tensors[string.Join("/", path)] = ((Tensor)actual!, e);
                break;
            default: throw new Xunit.Sdk.XunitException($"{where}: unknown expected type {type}");
        }
    }

    static void MatchTensor(JsonElement e, Tensor t, string where)
    {
        Assert.Equal(e.GetProperty("dtype").GetString(), TensorDType.NameOf(t.dtype));
        Assert.Equal(Longs(e.GetProperty("shape")), t.shape);
        Assert.Equal(Longs(e.GetProperty("stride")), t.stride());
        Assert.Equal(e.GetProperty("storage_offset").GetInt64(), t.storage_offset());
        bool parameter = e.TryGetProperty("is_parameter", out var p) && p.GetBoolean();
        Assert.True(parameter == t is Parameter, $"{where}: is_parameter");
        bool grad = e.TryGetProperty("requires_grad", out var g) && g.GetBoolean();
        Assert.True(grad == t.requires_grad, $"{where}: requires_grad");
        var expected = new List<JsonElement>();
        Flatten(e.GetProperty("values"), expected);
        Assert.Equal(t.numel(), expected.Count);
        using var c = t.detach().contiguous();
        switch (t.dtype)
        {
            case ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64:
            {
                using var d = c.to(ScalarType.Float64);
                var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(d.bytes).ToArray();
                for (int i = 0; i < values.Length; i++)
                    Assert.True(BitConverter.DoubleToInt64Bits(values[i]) == BitConverter.DoubleToInt64Bits(expected[i].GetDouble()),
                        $"{where}[{i}]: {values[i]:R} != {expected[i].GetDouble():R}");
                break;
            }
            case ScalarType.Bool:
                Assert.Equal(expected.Select(x => x.GetBoolean() ? (byte)1 : (byte)0).ToArray(), c.bytes.ToArray());
                break;
            default:
            {
                using var l = c.to(ScalarType.Int64);
                Assert.Equal(expected.Select(x => x.GetInt64()).ToArray(), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(l.bytes).ToArray());
                break;
            }
        }
        if (t.dtype == ScalarType.Float32)
            Assert.Equal(e.GetProperty("storage_numel").GetInt64(), (long)t.storage<float>().Count);
    }

    static void Flatten(JsonElement e, List<JsonElement> into)
    {
        if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Flatten(x, into);
        else into.Add(e);
    }

    static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
    static List<string> With(List<string> path, string key) => new(path) { key };
}
