using LiftedGan.Checkpoints;
using Xunit;

namespace LiftedGan.Tests.Checkpoints;

public class CheckpointReaderTests
{
    [Theory]
    [InlineData("reader_test_zip.pt", CheckpointFormat.TorchZip)]
    [InlineData("reader_test_legacy.pt", CheckpointFormat.Pickle)]
    public void ReaderFixtureMatchesExpectedJsonExactly(string file, CheckpointFormat format)
    {
        string path = CheckpointTestData.File(file);
        Assert.Equal(format, CheckpointFile.Detect(path));
        var value = TorchCheckpoint.Load(path);
        try { CheckpointTestData.AssertMatchesExpected(value); }
        finally { TorchCheckpoint.DisposeTensors(value); }
    }

    [SkippableTheory]
    [InlineData("reader_test_zip.pt")]
    [InlineData("reader_test_legacy.pt")]
    [InlineData("reader_test_expected.json")]
    public void CommittedCopiesEqualSharedFixtures(string file)
    {
        var shared = Shared.Fixture("checkpoint_reader/" + file);
        Assert.Equal(File.ReadAllBytes(shared), File.ReadAllBytes(CheckpointTestData.File(file)));
    }

    [Fact]
    public void TensorBytesOfAViewStartAtItsOffset()
    {
        using var t = TorchSharp.torch.arange(10, dtype: TorchSharp.torch.ScalarType.Float32);
        using var v = t.narrow(0, 4, 3);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(v.bytes);
        Assert.Equal(new[] { 4f, 5f, 6f }, floats.ToArray());
    }

    [Fact]
    public void ViewsOfOneStorageShareMemory()
    {
        var value = (PyDict)TorchCheckpoint.Load(CheckpointTestData.File("reader_test_legacy.pt"))!;
        try
        {
            var b = (TorchSharp.torch.Tensor)value["base"]!;
            var tail = (TorchSharp.torch.Tensor)value["view_flat_tail"]!;
            b[3, 5] = TorchSharp.torch.tensor(100f);
            Assert.Equal(100f, tail[3].item<float>());
        }
        finally { TorchCheckpoint.DisposeTensors(value); }
    }
}

public class CheckpointFormatEdgeTests
{
    [Fact]
    public void OldTarFormatIsNamed()
    {
        var bytes = new byte[1024];
        "ustar"u8.CopyTo(bytes.AsSpan(257));
        using var stream = new MemoryStream(bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(stream, "old.tar"));
        Assert.Contains("tar format", e.Message);
    }

    [Fact]
    public void BigEndianZipStoragesAreSwapped()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        string path = CheckpointTestData.TempPath(".pt");
        try
        {
            using (var t = TorchSharp.torch.tensor(new[] { 1.5f, -2.25f, 3e7f }))
                TorchCheckpoint.Save(path, new PyDict { ["x"] = t, ["i"] = TorchSharp.torch.tensor(new long[] { 1, -2, 1L << 40 }) });
            var entries = new List<(string Name, byte[] Data)>();
            using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
                foreach (var e in zip.Entries)
                {
                    using var s = e.Open();
                    using var m = new MemoryStream();
                    s.CopyTo(m);
                    var data = m.ToArray();
                    if (e.FullName.EndsWith("/byteorder", StringComparison.Ordinal)) data = "big"u8.ToArray();
                    if (e.FullName.EndsWith("/data/0", StringComparison.Ordinal)) TensorDType.SwapBytes(data, 4);
                    if (e.FullName.EndsWith("/data/1", StringComparison.Ordinal)) TensorDType.SwapBytes(data, 8);
                    entries.Add((e.FullName, data));
                }
            using (var output = File.Create(path))
            {
                var writer = new StoredZipWriter(output, path);
                foreach (var (name, data) in entries) writer.Add(name, data);
                writer.Finish();
            }
            var back = (PyDict)TorchCheckpoint.Load(path)!;
            Assert.Equal(new[] { 1.5f, -2.25f, 3e7f }, ((TorchSharp.torch.Tensor)back["x"]!).data<float>().ToArray());
            Assert.Equal(new long[] { 1, -2, 1L << 40 }, ((TorchSharp.torch.Tensor)back["i"]!).data<long>().ToArray());
            TorchCheckpoint.DisposeTensors(back);
        }
        finally { File.Delete(path); }
    }
}
