using System.Diagnostics;
using LiftedGan.Checkpoints;
using Xunit;
using Xunit.Abstractions;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>
/// Seeded fuzzing of the hostile-file classes of issue 17 (deep keys, memo-shared tuple keys, colliding keys, deflate
/// bombs, overlapping entries, inconsistent storages, flipped tensor bytes), each optionally mutated further. Every
/// case must load or end in a <see cref="CheckpointException"/> of one line, within <see cref="CaseLimit"/> and with
/// the process's peak resident memory (VmHWM, reset before each case) growing by less than 1 GiB.
/// LIFTEDGAN_FUZZ_CASES sets the case count (default 3000, about 10 s on a 2-core VM).
/// </summary>
public class HostileFuzzTests(ITestOutputHelper output)
{
    const int DefaultCases = 3000;
    static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);
    const long MemoryLimit = 1L << 30;

    static readonly string[] Classes =
        { "deep-key", "shared-key", "colliding-keys", "pickle-bomb", "storage-bomb", "overlap", "two-sizes", "crc-flip" };

    [Fact]
    public async Task HostileClassesEndInLoadOrOneLineTypedError()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("LIFTEDGAN_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;
        var random = new Random(1717);
        var bombs = new Dictionary<int, byte[]>();
        var perClass = Classes.ToDictionary(c => c, _ => (Loaded: 0, Refused: 0));
        var slowest = (Time: TimeSpan.Zero, Label: "");
        var hungriest = (Bytes: 0L, Label: "");
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            string kind = Classes[i % Classes.Length];
            var (how, bytes) = Make(random, kind, bombs);
            if (random.Next(4) == 0) how += Mutate(random, bytes);
            string label = $"case {i} ({kind}: {how})";

            long before = PeakMemory.Supported && PeakMemory.TryReset() ? PeakMemory.Current() : 0;
            var started = Stopwatch.StartNew();
            CheckpointException? error = null;
            try
            {
                error = await Task.Run(() =>
                {
                    using var stream = new MemoryStream(bytes, writable: false);
                    try
                    {
                        TorchCheckpoint.DisposeTensors(TorchCheckpoint.Load(stream, "fuzz.pt"));
                        return null;
                    }
                    catch (CheckpointException e) { return e; }
                }).WaitAsync(CaseLimit);
            }
            catch (TimeoutException) { Assert.Fail($"{label}: no result after {CaseLimit.TotalSeconds} s"); }
            catch (Exception e) { Assert.Fail($"{label}: untyped failure {e.GetType().Name}: {e.Message}"); }
            var time = started.Elapsed;
            long growth = PeakMemory.Supported ? Math.Max(0, PeakMemory.Peak() - before) : 0;

            if (error != null)
            {
                Assert.False(error.Message.Contains('\n'), $"{label}: message of several lines: {error.Message}");
                Assert.False(error.Message.Any(c => char.IsControl(c)), $"{label}: control characters in the message");
            }
            Assert.True(growth < MemoryLimit, $"{label}: peak memory grew by {growth >> 20} MiB");
            var (loaded, refused) = perClass[kind];
            perClass[kind] = error == null ? (loaded + 1, refused) : (loaded, refused + 1);
            if (time > slowest.Time) slowest = (time, label);
            if (growth > hungriest.Bytes) hungriest = (growth, label);
        }
        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s; peak memory measured: {PeakMemory.Supported}");
        foreach (var (kind, (loaded, refused)) in perClass) output.WriteLine($"  {kind}: {loaded} loaded, {refused} typed errors");
        output.WriteLine($"slowest {slowest.Time.TotalMilliseconds:F0} ms: {slowest.Label}");
        output.WriteLine($"largest peak growth {hungriest.Bytes >> 20} MiB: {hungriest.Label}");
        Assert.True(perClass.Values.Sum(v => v.Refused) > cases / 2, "most hostile files should be refused");
    }

    static (string, byte[]) Make(Random r, string kind, Dictionary<int, byte[]> bombs)
    {
        bool ordered = r.Next(2) == 0;
        switch (kind)
        {
            case "deep-key":
            {
                int depth = (int)Math.Pow(10, r.NextDouble() * 5.5); // 1 .. ~300,000
                return ($"depth {depth}", HostileFiles.DeepKey(depth, ordered));
            }
            case "shared-key":
            {
                int width = r.Next(1, 80), depth = r.Next(1, 12);
                return ($"width {width} depth {depth}", HostileFiles.MemoSharedKey(width, depth, ordered));
            }
            case "colliding-keys":
            {
                int count = r.Next(1, 3000), depth = r.Next(0, 14);
                return ($"{count} keys depth {depth}", HostileFiles.CollidingKeys(count, depth));
            }
            case "pickle-bomb":
            {
                if (r.Next(2) == 0)
                {
                    long declared = r.Next(4) switch { 0 => uint.MaxValue, 1 => 1L << r.Next(10, 32), 2 => r.Next(1, 200), _ => 3 };
                    return ($"declares {declared}", HostileFiles.PickleBomb(r.Next(0, 4096), declared));
                }
                int zeros = 1 << r.Next(10, 24);
                if (!bombs.TryGetValue(zeros, out var b)) bombs[zeros] = b = HostileFiles.PickleBomb(zeros);
                return ($"{zeros} zeros", (byte[])b.Clone());
            }
            case "storage-bomb":
            {
                int numel = 1 << r.Next(4, 22);
                if (!bombs.TryGetValue(-numel, out var b)) bombs[-numel] = b = HostileFiles.StorageBomb(numel);
                return ($"{numel} zero floats", (byte[])b.Clone());
            }
            case "overlap":
            {
                int count = r.Next(1, 200), numel = 1 << r.Next(0, 14);
                return ($"{count} x {numel}", HostileFiles.OverlappingStorages(count, numel));
            }
            case "two-sizes":
            {
                int small = r.Next(1, 64), large = r.Next(1, 1 << 20);
                return ($"{small} / {large}", HostileFiles.InconsistentStorage(small, large));
            }
            default:
            {
                int numel = r.Next(1, 4096);
                int flip = r.Next(3) == 0 ? -1 : r.Next(numel * 4);
                return ($"{numel} floats, flip {flip}", HostileFiles.TensorFile(numel, flip));
            }
        }
    }

    static string Mutate(Random r, byte[] b)
    {
        if (b.Length == 0) return "";
        int flips = r.Next(1, 6);
        for (int i = 0; i < flips; i++) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
        return $" + {flips} bit flips";
    }
}
