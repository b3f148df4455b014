using System.Numerics;
using LiftedGan.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

public class CheckpointWriterTests
{
    [Theory]
    [InlineData("reader_test_zip.pt")]
    [InlineData("reader_test_legacy.pt")]
    public void RewrittenReaderFixtureStillMatchesExpectedJson(string file)
    {
        var value = TorchCheckpoint.Load(CheckpointTestData.File(file));
        string path = CheckpointTestData.TempPath(".pt");
        try
        {
            TorchCheckpoint.Save(path, value);
            Assert.Equal(CheckpointFormat.TorchZip, CheckpointFile.Detect(path));
            var back = TorchCheckpoint.Load(path);
            try { CheckpointTestData.AssertMatchesExpected(back); }
            finally { TorchCheckpoint.DisposeTensors(back); }
        }
        finally
        {
            TorchCheckpoint.DisposeTensors(value);
            File.Delete(path);
        }
    }

    /// <summary>A graph with every dtype, views with offsets and odd strides, shared storages, and nested values.</summary>
    internal static PyDict BuildGraph()
    {
        var root = new PyDict { IsOrdered = true };
        var types = new[] { ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float64, ScalarType.Int64,
                            ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool };
        foreach (var type in types)
            root.Set(TensorDType.NameOf(type), (torch.arange(24, dtype: ScalarType.Float64).reshape(2, 3, 4) * 1.5 - 7).to(type));
        var storage = torch.linspace(-1, 1, 40, dtype: ScalarType.Float32);
        root.Set("storage", storage);
        root.Set("strided", storage.as_strided(new long[] { 3, 4 }, new long[] { 1, 7 }, 5));
        root.Set("tail", storage.narrow(0, 30, 10));
        root.Set("transposed", storage.reshape(5, 8).t());
        root.Set("expanded", torch.tensor(new[] { 1f, 2f }).expand(3, 2));
        root.Set("scalar", torch.tensor(3.25));
        root.Set("empty", torch.empty(0, 3));
        root.Set("param", new Parameter(torch.tensor(new[] { 0.5f, -0.5f })));
        root.Set("frozen_param", new Parameter(torch.tensor(new[] { 1f }), requires_grad: false));
        root.Set("needs_grad", torch.ones(2).requires_grad_(true));
        var list = new List<object?> { 1L, -2.5, "three", null, true, new byte[] { 0, 1, 255 }, Array.Empty<byte>() };
        list.Add(list); // a cycle
        root.Set("list", list);
        root.Set("tuple", new PyTuple(new PyTuple(), new PyTuple(1L, 2L, 3L, 4L, 5L), BigInteger.Pow(2, 70), -BigInteger.Pow(2, 100), long.MinValue));
        var inner = new PyDict { [ "a"] = 1L };
        inner.Set(7L, "seven");
        inner.Set(new PyTuple(1L, "x"), "tuple key");
        inner.Set(null, "none key");
        root.Set("inner", inner);
        var withMetadata = new PyDict { IsOrdered = true, ["weight"] = torch.ones(1) };
        withMetadata.Attributes = new PyDict { ["_metadata"] = new PyDict { IsOrdered = true, [""] = new PyDict { ["version"] = 1L } } };
        root.Set("state_dict", withMetadata);
        root.Set("inner_again", inner);
        root.Set("same_tensor_again", root["float32"]);
        root.Set("unicode", "héllo ✓ \n 'quoted'");
        root.Set("floats", new List<object?> { double.NaN, double.PositiveInfinity, -0.0, 1e-300, 5e-324 });
        return root;
    }

    [Fact]
    public void RoundTripKeepsValuesStridesSharingAndStructure()
    {
        using var scope = torch.NewDisposeScope();
        var root = BuildGraph();
        string path = CheckpointTestData.TempPath(".pt");
        try
        {
            TorchCheckpoint.Save(path, root);
            var back = (PyDict)TorchCheckpoint.Load(path)!;
            try { AssertGraphEqual(root, back); }
            finally { TorchCheckpoint.DisposeTensors(back); }
        }
        finally { File.Delete(path); }
    }

    internal static void AssertGraphEqual(PyDict root, PyDict back)
    {
        Assert.Equal(root.Keys, back.Keys);
        Assert.True(back.IsOrdered);
        foreach (var key in root.Keys)
        {
            if (root[(string)key!] is Tensor a) AssertTensorEqual(a, (Tensor)back[(string)key!]!, (string)key!);
        }
        var pointer = (string k) => StorageTable.BasePointer((Tensor)back[k]!);
        Assert.Equal(pointer("storage"), pointer("strided"));
        Assert.Equal(pointer("storage"), pointer("tail"));
        Assert.Equal(pointer("storage"), pointer("transposed"));
        Assert.NotEqual(pointer("storage"), pointer("float32"));
        Assert.Same(back["float32"], back["same_tensor_again"]);
        Assert.IsType<Parameter>(back["param"]);
        Assert.True(((Tensor)back["param"]!).requires_grad);
        Assert.IsType<Parameter>(back["frozen_param"]);
        Assert.False(((Tensor)back["frozen_param"]!).requires_grad);
        Assert.IsNotType<Parameter>(back["needs_grad"]);
        Assert.True(((Tensor)back["needs_grad"]!).requires_grad);
        Assert.False(((Tensor)back["float32"]!).requires_grad);

        var list = (List<object?>)back["list"]!;
        Assert.Equal(new object?[] { 1L, -2.5, "three", null, true }, list.Take(5));
        Assert.Equal(new byte[] { 0, 1, 255 }, list[5]);
        Assert.Equal(Array.Empty<byte>(), list[6]);
        Assert.Same(list, list[7]);
        var tuple = (PyTuple)back["tuple"]!;
        Assert.Empty((PyTuple)tuple[0]!);
        Assert.Equal(new object?[] { 1L, 2L, 3L, 4L, 5L }, (PyTuple)tuple[1]!);
        Assert.Equal(BigInteger.Pow(2, 70), tuple[2]);
        Assert.Equal(-BigInteger.Pow(2, 100), tuple[3]);
        Assert.Equal(long.MinValue, tuple[4]);
        var inner = (PyDict)back["inner"]!;
        Assert.Same(inner, back["inner_again"]);
        Assert.False(inner.IsOrdered);
        Assert.Equal(new object?[] { "a", 7L, new PyTuple(1L, "x"), null }.Length, inner.Count);
        Assert.Equal("seven", inner.TryGet(7L, out var seven) ? seven : null);
        Assert.Equal("tuple key", inner.TryGet(new PyTuple(1L, "x"), out var tk) ? tk : null);
        Assert.Equal("none key", inner.TryGet((object?)null, out var nk) ? nk : null);
        Assert.Null(inner.Attributes);
        var meta = (PyDict)((PyDict)back["state_dict"]!).Attributes!["_metadata"]!;
        Assert.True(meta.IsOrdered);
        Assert.Equal(1L, ((PyDict)meta[""]!)["version"]);
        Assert.Equal("héllo ✓ \n 'quoted'", back["unicode"]);
        var floats = (List<object?>)back["floats"]!;
        Assert.True(double.IsNaN((double)floats[0]!));
        Assert.Equal(double.PositiveInfinity, floats[1]);
        Assert.True(double.IsNegative((double)floats[2]!));
        Assert.Equal(1e-300, floats[3]);
        Assert.Equal(5e-324, floats[4]);
    }

    internal static void AssertTensorEqual(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.stride(), actual.stride());
        if (expected.numel() > 0) Assert.Equal(expected.storage_offset(), actual.storage_offset());
        using var a = expected.detach().contiguous();
        using var b = actual.detach().contiguous();
        Assert.True(a.bytes.SequenceEqual(b.bytes), $"{name}: bytes differ");
    }

    [Fact]
    public void UnsupportedValuesAndPathsAreRefused()
    {
        string path = CheckpointTestData.TempPath(".pt");
        Assert.Throws<ArgumentException>(() => TorchCheckpoint.Save(path, new PyDict { ["x"] = new object() }));
        Assert.Throws<ArgumentException>(() => TorchCheckpoint.Save(path, new PyDict { Attributes = new PyDict() }));
        using (var c = torch.ones(2, dtype: ScalarType.ComplexFloat32))
            Assert.Throws<ArgumentException>(() => TorchCheckpoint.Save(path, c));
        Assert.False(File.Exists(path));
        Assert.Throws<IOException>(() => TorchCheckpoint.Save(Path.GetTempPath(), 1L));
    }
}
