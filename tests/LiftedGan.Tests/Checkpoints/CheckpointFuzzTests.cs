using System.Diagnostics;
using System.IO.Compression;
using LiftedGan.Checkpoints;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>
/// Mutated and truncated variants of small checkpoint files must each end in a successful load or a
/// <see cref="CheckpointException"/> within a time limit: never another exception, a crash, a hang or a huge
/// allocation from a forged length. Deterministic seed; LIFTEDGAN_FUZZ_CASES raises the case count for long runs.
/// </summary>
public class CheckpointFuzzTests(ITestOutputHelper output)
{
    const int DefaultCases = 2400;
    static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    static readonly string[] SeedFiles =
    {
        "reader_test_zip.pt", "reader_test_legacy.pt", "proto4_namespace_zip.pt", "proto4_namespace_legacy.pt",
        "lresnet_like.pth.tar", "fid_stats_p2.pkl", "fid_stats_p4.pkl",
    };

    [Fact]
    public async Task MutatedFilesEndInLoadOrTypedError()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("LIFTEDGAN_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;
        var seeds = SeedFiles.Select(f => (f, File.ReadAllBytes(CheckpointTestData.File(f)))).ToList();
        seeds.Add(("tensors.safetensors", SafetensorsSeed()));
        var random = new Random(20240701);
        int loaded = 0, formatErrors = 0, unsafeErrors = 0;
        var slowest = TimeSpan.Zero;
        // Memory is judged by what the cases add to the process (other tests share it): the working set's rise over its
        // value before the first case, at its highest after any case.
        long before = Environment.WorkingSet, highest = before;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            var (name, seed) = seeds[i % seeds.Count];
            var (how, bytes) = Mutate(random, name, seed);
            string label = $"case {i} ({name}, {how})";
            var started = Stopwatch.StartNew();
            var run = Task.Run(() =>
            {
                using var stream = new MemoryStream(bytes, writable: false);
                try
                {
                    var value = TorchCheckpoint.Load(stream, label);
                    TorchCheckpoint.DisposeTensors(value);
                    return 0;
                }
                catch (UnsafePickleException) { return 2; }
                catch (CheckpointException) { return 1; }
            });
            int outcome = -1;
            try { outcome = await run.WaitAsync(CaseLimit); }
            catch (TimeoutException) { Assert.Fail($"{label}: no result after {CaseLimit.TotalSeconds} s"); }
            catch (Exception e) { Assert.Fail($"{label}: untyped failure {e}"); }
            switch (outcome) { case 0: loaded++; break; case 1: formatErrors++; break; default: unsafeErrors++; break; }
            if (started.Elapsed > slowest) slowest = started.Elapsed;
            highest = Math.Max(highest, Environment.WorkingSet);
        }
        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s: {loaded} loaded, {formatErrors} format errors, " +
                         $"{unsafeErrors} refused globals; slowest case {slowest.TotalMilliseconds:F0} ms; working set {before >> 20} MiB before the cases, at most {highest >> 20} MiB after one");
        Assert.Equal(cases, loaded + formatErrors + unsafeErrors);
        Assert.True(formatErrors > cases / 10, "mutations should break most files");
        Assert.True(loaded > 0, "some mutations (e.g. in tensor data) should still load");
        Assert.True(highest - before < 1L << 30, $"the cases raised the working set by {(highest - before) >> 20} MiB (from {before >> 20} MiB)");
    }

    static byte[] SafetensorsSeed()
    {
        string path = CheckpointTestData.TempPath(".safetensors");
        try
        {
            using var a = arange(12, dtype: ScalarType.Float32).reshape(3, 4);
            using var b = ones(5, dtype: ScalarType.Int16);
            Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b }, new Dictionary<string, string> { ["format"] = "pt" });
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    static readonly long[] Extremes = { 0, 1, -1, 255, 256, 65535, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 40 };

    static (string, byte[]) Mutate(Random r, string name, byte[] seed)
    {
        bool zip = seed.Length > 4 && seed[0] == (byte)'P' && seed[1] == (byte)'K';
        int kind = r.Next(zip ? 9 : 7);
        if (kind >= 7) return Rezip(r, seed, kind == 7);
        return MutateBytes(r, seed, kind);
    }

    static (string, byte[]) MutateBytes(Random r, byte[] seed, int kind)
    {
        var b = (byte[])seed.Clone();
        switch (kind)
        {
            case 0:
                int flips = r.Next(1, 5);
                for (int i = 0; i < flips; i++) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
                return ($"{flips} bit flips", b);
            case 1:
                int sets = r.Next(1, 9);
                for (int i = 0; i < sets; i++) b[r.Next(b.Length)] = (byte)r.Next(256);
                return ($"{sets} random bytes", b);
            case 2:
                int keep = r.Next(b.Length);
                return ($"truncated to {keep}", b[..keep]);
            case 3:
            {
                long v = Extremes[r.Next(Extremes.Length)];
                int width = r.Next(2) == 0 ? 4 : 8;
                int at = r.Next(Math.Max(1, b.Length - width));
                BitConverter.GetBytes(v).AsSpan(0, width).CopyTo(b.AsSpan(at, Math.Min(width, b.Length - at)));
                return ($"{width}-byte {v} at {at}", b);
            }
            case 4:
            {
                int at = r.Next(b.Length), len = r.Next(1, Math.Min(64, b.Length - at) + 1);
                return ($"deleted {len} at {at}", b[..at].Concat(b[(at + len)..]).ToArray());
            }
            case 5:
            {
                int from = r.Next(b.Length), len = r.Next(1, Math.Min(64, b.Length - from) + 1), to = r.Next(b.Length);
                return ($"inserted {len} from {from} at {to}", b[..to].Concat(b.Skip(from).Take(len)).Concat(b[to..]).ToArray());
            }
            default:
                return ("unchanged", b);
        }
    }

    /// <summary>Mutates data.pkl (or shortens a storage) and re-zips with valid CRCs, so the pickle machine sees the damage.</summary>
    static (string, byte[]) Rezip(Random r, byte[] seed, bool pickle)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using (var archive = new ZipArchive(new MemoryStream(seed), ZipArchiveMode.Read))
            foreach (var e in archive.Entries)
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                entries.Add((e.FullName, m.ToArray()));
            }
        string how;
        if (pickle)
        {
            int i = entries.FindIndex(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal));
            var (inner, data) = MutateBytes(r, entries[i].Data, r.Next(6));
            entries[i] = (entries[i].Name, data);
            how = $"re-zipped data.pkl: {inner}";
        }
        else
        {
            var storages = entries.Select((e, i) => (e, i)).Where(x => x.e.Name.Contains("/data/")).ToList();
            var (e, i) = storages[r.Next(storages.Count)];
            int keep = r.Next(e.Data.Length);
            entries[i] = (e.Name, e.Data[..keep]);
            how = $"re-zipped {e.Name} cut to {keep} bytes";
        }
        using var output = new MemoryStream();
        var zip = new StoredZipWriter(output, "fuzz");
        foreach (var (name, data) in entries) zip.Add(name, data);
        zip.Finish();
        return (how, output.ToArray());
    }
}
