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
