using LiftedGan.IO;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests;

public class NpyTests
{
    [Theory]
    [InlineData(torch.ScalarType.Float32)]
    [InlineData(torch.ScalarType.Float64)]
    [InlineData(torch.ScalarType.Int64)]
    [InlineData(torch.ScalarType.Int32)]
    [InlineData(torch.ScalarType.Byte)]
    [InlineData(torch.ScalarType.Bool)]
    public void RoundTripKeepsDtypeShapeAndValues(torch.ScalarType type)
    {
        var path = Path.Combine(Path.GetTempPath(), $"npy-{Guid.NewGuid():N}.npy");
        using var t = (torch.arange(24, dtype: torch.float64).reshape(2, 3, 4) - 7).to(type);
        Npy.Save(path, t);
        using var back = Npy.Load(path);
        File.Delete(path);
        Assert.Equal(type, back.dtype);
        Assert.Equal(t.shape, back.shape);
        Assert.True(t.eq(back).all().item<bool>());
    }

    [SkippableFact]
    public void ReadsFixtureScalarAndIntFiles()
    {
        using var k = Npy.Load(Shared.Fixture("renderer_math/K.npy"));
        Assert.Equal(new long[] { 1, 3, 3 }, k.shape);
        using var idx = Npy.Load(Shared.Fixture("renderer_math/face_idx_b1_h3_w3.npy"));
        Assert.Equal(torch.ScalarType.Int32, idx.dtype);
    }

    [Fact]
    public void FortranOrderIsTransposedBack()
    {
        var header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        header = header.PadRight(118 - 10 + 9) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in new float[] { 1, 4, 2, 5, 3, 6 }) bytes.AddRange(BitConverter.GetBytes(v));
        using var t = Npy.Parse(bytes.ToArray());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.data<float>().ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(60)]
    public void TruncatedFilesGiveTypedError(int keep)
    {
        var path = Path.Combine(Path.GetTempPath(), $"npy-{Guid.NewGuid():N}.npy");
        using (var t = torch.ones(4, 4)) Npy.Save(path, t);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..Math.Min(keep, bytes.Length)]);
        var e = Assert.Throws<NpyFormatException>(() => Npy.Load(path));
        Assert.Contains(path, e.Message);
        File.Delete(path);
    }
}
