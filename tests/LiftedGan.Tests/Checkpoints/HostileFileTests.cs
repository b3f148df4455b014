using System.Diagnostics;
using LiftedGan.Checkpoints;
using Xunit;
using Xunit.Abstractions;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>
/// Regression tests for the hostile-file classes of issue 17: each file is built here, small and deterministic, and
/// must end in a one-line <see cref="CheckpointFormatException"/> within a second and without a large allocation.
/// </summary>
public class HostileFileTests(ITestOutputHelper output)
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    const long MemoryLimit = 512L << 20;

    /// <summary>Loads the bytes on a worker under a time limit; returns the typed error (null when it loaded) and the peak memory growth.</summary>
    internal static (CheckpointException? Error, TimeSpan Time, long PeakGrowth) Load(byte[] bytes, string name, CheckpointLimits? limits = null)
    {
        long before = PeakMemory.Supported && PeakMemory.TryReset() ? PeakMemory.Current() : 0;
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            try
            {
                TorchCheckpoint.DisposeTensors(TorchCheckpoint.Load(stream, name, limits));
                return null;
            }
            catch (CheckpointException e) { return e; }
        });
        if (!run.Wait(Limit)) Assert.Fail($"{name}: no result after {Limit.TotalSeconds} s");
        var time = clock.Elapsed;
        if (run.IsFaulted) Assert.Fail($"{name}: untyped failure {run.Exception!.InnerException}");
        long growth = PeakMemory.Supported ? Math.Max(0, PeakMemory.Peak() - before) : 0;
        return (run.Result, time, growth);
    }

    CheckpointException Refused(byte[] bytes, string name, string expected, CheckpointLimits? limits = null)
    {
        var (error, time, growth) = Load(bytes, name, limits);
        output.WriteLine($"{name}: {bytes.Length} bytes, {time.TotalMilliseconds:F0} ms, peak +{growth >> 20} MiB: {error?.Message}");
        Assert.NotNull(error);
        Assert.IsType<CheckpointFormatException>(error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(name + ": ", error.Message, StringComparison.Ordinal);
        Assert.True(growth < MemoryLimit, $"{name}: peak memory grew by {growth >> 20} MiB");
        return error;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeepTupleKeyIsRefusedWithoutRecursion(bool orderedDict) =>
        Refused(HostileFiles.DeepKey(200_000, orderedDict), "deep-key.pt", "nested deeper than 8");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MemoSharedTupleKeyIsRefusedInLinearTime(bool orderedDict) =>
        Refused(HostileFiles.MemoSharedKey(40, 6, orderedDict), "shared-key.pt", "more than 256 parts");

    [Fact]
    public void CollidingDeepKeysAreRefused() =>
        Refused(HostileFiles.CollidingKeys(20_000, 9), "colliding.pt", "nested deeper than 8");

    [Fact]
    public void ManyShallowTupleKeysLoadFast()
    {
        var (error, time, _) = Load(HostileFiles.CollidingKeys(20_000, 7), "shallow.pt");
        Assert.Null(error);
        Assert.True(time < TimeSpan.FromSeconds(2), $"{time}");
    }

    [Fact]
    public void SmallTupleKeysStillLoadAndPrint()
    {
        var (error, _, _) = Load(HostileFiles.MemoSharedKey(2, 7, true), "ok-key.pt");
        Assert.Null(error);
        using var stream = new MemoryStream(HostileFiles.MemoSharedKey(3, 2, false));
        var d = Assert.IsType<PyDict>(TorchCheckpoint.Load(stream, "ok"));
        Assert.Equal("(((), (), ()), ((), (), ()), ((), (), ()))", CheckpointSummary.KeyText(d.Keys[0]));
    }

    [Fact]
    public void DeflatedPickleBombIsRefusedBeforeInflating()
    {
        Refused(HostileFiles.PickleBomb(64 << 20), "bomb.pt", "ratio above 100");
        Refused(HostileFiles.PickleBomb(100, declared: 4L << 30), "bomb-declared.pt", "more than the 1073741824 allowed");
        Refused(HostileFiles.PickleBomb(100, declared: 1000), "bomb-budget.pt", "beyond the read budget", new CheckpointLimits { MaxTotalBytes = 600 });
    }

    [Fact]
    public void DeflatedStorageBombIsRefused() =>
        Refused(HostileFiles.StorageBomb(16 << 20), "storage-bomb.pt", "ratio above 100");

    [Fact]
    public void OverlappingEntriesAreRefused() =>
        Refused(HostileFiles.OverlappingStorages(64, 1 << 18), "overlap.pt", "overlap");

    [Fact]
    public void StorageKeyWithTwoSizesIsRefused() =>
        Refused(HostileFiles.InconsistentStorage(4, 1 << 20), "two-sizes.pt", "two different types or sizes");

    [Fact]
    public void FlippedTensorByteFailsTheCrcUnlessVerificationIsOff()
    {
        Assert.Null(Load(HostileFiles.TensorFile(1000), "intact.pt").Error);
        Refused(HostileFiles.TensorFile(1000, flip: 1234), "flipped.pt", "fails its CRC-32 check");
        Assert.Null(Load(HostileFiles.TensorFile(1000, flip: 1234), "flipped.pt", new CheckpointLimits { VerifyCrc = false }).Error);
    }

    [Fact]
    public void Zip64EndRecordsAreRead()
    {
        using var stream = new MemoryStream(HostileFiles.TensorFile(1000, zip64: true));
        var d = Assert.IsType<PyDict>(TorchCheckpoint.Load(stream, "zip64.pt"));
        var t = Assert.IsType<TorchSharp.torch.Tensor>(d["w"]);
        Assert.Equal(1000, t.numel());
        TorchCheckpoint.DisposeTensors(d);
        Refused(HostileFiles.TensorFile(1000, flip: 3, zip64: true), "zip64-flip.pt", "fails its CRC-32 check");
    }

    [Fact]
    public void DuplicateEntryNamesAreRefused()
    {
        var pickle = new HostileFiles.Pickle().Op('N').Stop();
        var zip = HostileFiles.Zip(new[] { HostileFiles.Stored("a/data.pkl", pickle), HostileFiles.Stored("a/data.pkl", pickle) });
        Refused(zip, "dup.pt", "appears twice");
    }

    [Fact]
    public void PickleOpsAndMemoAreBudgeted()
    {
        var p = new HostileFiles.Pickle().Op(']');
        for (int i = 0; i < 2000; i++) p.Op(']', 'a');
        var bytes = p.Stop();
        using (var s = new MemoryStream(bytes))
            Assert.Contains("operations", Assert.Throws<CheckpointFormatException>(() =>
                TorchCheckpoint.Load(s, "ops", new CheckpointLimits { MaxPickleOps = 1000 })).Message);
        var m = new HostileFiles.Pickle().Op('N');
        for (int i = 0; i < 100; i++) m.Put(i);
        using (var s = new MemoryStream(m.Stop()))
            Assert.Contains("memo", Assert.Throws<CheckpointFormatException>(() =>
                TorchCheckpoint.Load(s, "memo", new CheckpointLimits { MaxMemo = 50 })).Message);
    }

    [SkippableFact]
    public async Task FifoIsRefusedWithoutBlocking()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        string dir = Path.Combine(Path.GetTempPath(), $"fifo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string fifo = Path.Combine(dir, "pipe.pt");
        try
        {
            using (var mk = Process.Start("mkfifo", fifo)) mk.WaitForExit();
            Skip.IfNot(File.Exists(fifo), "mkfifo unavailable");
            var e = await Task.Run(() => Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(fifo))).WaitAsync(Limit);
            Assert.Contains("not a regular file", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task SelfReferencingStateDictIsBounded()
    {
        // d = {}; d['a'] = d; d['b'] = d: flattening would branch twice per level without a cap.
        var bytes = new HostileFiles.Pickle().Op('}').Put(0).Str("a").Get(0).Op('s').Str("b").Get(0).Op('s').Stop();
        string path = CheckpointTestData.TempPath(".pt");
        File.WriteAllBytes(path, bytes);
        try
        {
            var e = await Task.Run(() => Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(path))).WaitAsync(Limit);
            Assert.Contains("contains itself", e.Message);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The native and the managed CRC-32 agree with the check value and with each other.</summary>
public class Crc32Tests
{
    [Fact]
    public void NativeAndManagedAgree()
    {
        Assert.Equal(0xCBF43926u, Crc32.Of("123456789"u8));
        var data = new byte[100_003];
        new Random(5).NextBytes(data);
        var native = new Crc32();
        native.Append(data.AsSpan(0, 70_000));
        native.Append(data.AsSpan(70_000));
        uint expected = native.Value;
        try
        {
            Crc32.UseNative = false;
            Assert.Equal(0xCBF43926u, Crc32.Of("123456789"u8));
            var managed = new Crc32();
            managed.Append(data.AsSpan(0, 13));
            managed.Append(data.AsSpan(13));
            Assert.Equal(expected, managed.Value);
        }
        finally { Crc32.UseNative = true; }
    }
}

/// <summary>One memo-shared buffer rebuilt into many numpy arrays is charged each time against the read budget.</summary>
public class NumpyAmplificationTests
{
    static byte[] SharedBufferArrays(int n, int count)
    {
        var p = new HostileFiles.Pickle().Op(']');
        p.Op('B').Raw(BitConverter.GetBytes(n)).Raw(new byte[n]).Put(0).Op('0');
        for (int i = 0; i < count; i++)
        {
            p.Global("numpy.core.multiarray", "_reconstruct").Global("numpy", "ndarray").Op('K', 0, 0x85, 'C', 1, 'b', 0x87, 'R');
            p.Op('(').Op('K', 1).Int(n).Op(0x85);
            p.Global("numpy", "dtype").Str("u1").Op(0x85, 'R');
            p.Op('(').Op('K', 3).Str("|").Op('N', 'N', 'N').Int(-1).Int(-1).Op('K', 0, 't', 'b');
            p.Op(0x89).Get(0).Op('t', 'b', 'a');
        }
        return p.Stop();
    }

    [Fact]
    public void SharedBufferRebuiltManyTimesHitsTheBudget()
    {
        using (var ok = new MemoryStream(SharedBufferArrays(1000, 3)))
        {
            var list = Assert.IsType<List<object?>>(TorchCheckpoint.Load(ok, "ok.pkl"));
            Assert.Equal(3, list.Count);
            TorchCheckpoint.DisposeTensors(list);
        }
        var (error, _, growth) = HostileFileTests.Load(SharedBufferArrays(1 << 20, 400), "shared-buffer.pkl");
        Assert.NotNull(error);
        Assert.Contains("read budget", error.Message);
        Assert.True(growth < 256L << 20, $"peak grew {growth >> 20} MiB");
    }
}
