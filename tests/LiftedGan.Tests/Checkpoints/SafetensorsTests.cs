using System.Buffers.Binary;
using System.Text;
using LiftedGan.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

public class SafetensorsTests
{
    [Fact]
    public void RoundTripKeepsEveryDtypeShapeValueOrderAndMetadata()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var d in TensorDType.All)
            tensors[$"t_{d.Name}"] = (arange(30, dtype: ScalarType.Float64).reshape(2, 3, 5) * 0.75 - 9).to(d.Type);
        tensors["strided_view"] = arange(40, dtype: ScalarType.Float32).reshape(5, 8).t().narrow(0, 2, 3);
        tensors["scalar"] = tensor(1.5f);
        tensors["empty"] = empty(0, 4);
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo" };
        string path = CheckpointTestData.TempPath(".safetensors");
        try
        {
            Safetensors.Save(path, tensors, metadata);
            Assert.Equal(CheckpointFormat.Safetensors, CheckpointFile.Detect(path));
            var header = File.ReadAllBytes(path);
            Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(header) % 8);
            var content = Safetensors.Read(path);
            Assert.Equal(tensors.Keys, content.Tensors.Keys);
            Assert.Equal(metadata, content.Metadata);
            foreach (var (k, t) in tensors)
            {
                var back = content.Tensors[k];
                Assert.Equal(t.dtype, back.dtype);
                Assert.Equal(t.shape, back.shape);
                using var a = t.contiguous();
                Assert.True(a.bytes.SequenceEqual(back.bytes), k);
            }
            // The generic loader sees the same file as a dict with __metadata__ first.
            var dict = (PyDict)TorchCheckpoint.Load(path)!;
            Assert.Equal("pt", ((PyDict)dict["__metadata__"]!)["format"]);
            Assert.Equal(tensors.Count + 1, dict.Count);
            TorchCheckpoint.DisposeTensors(dict);
            foreach (var t in content.Tensors.Values) t.Dispose();
        }
        finally { File.Delete(path); }
    }

    static byte[] File8(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "do not match")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "do not match")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 8, "bad shape")]
    [InlineData("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "unsupported dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", 8, "bad shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 8, "bad safetensors header")]
    [InlineData("{\"a\":", 8, "bad safetensors header")]
    [InlineData("{\"__metadata__\":{\"x\":1}}", 0, "must be strings")]
    public void BadHeadersGiveFormatErrors(string header, int dataBytes, string problem)
    {
        using var stream = new MemoryStream(File8(header, dataBytes));
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(stream, "bad.safetensors"));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondFileIsNotSafetensors()
    {
        var bytes = File8("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        using var stream = new MemoryStream(bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(stream, "forged"));
        Assert.Contains("unknown format", e.Message);
    }
}
