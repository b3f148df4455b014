using System.Diagnostics;
using LiftedGan.Torch;
using TorchSharp;

namespace LiftedGan.Synthetic;

/// <summary>One benchmark line: images per second of one way of producing images at one size.</summary>
/// <remarks>
/// <see cref="CpuSeconds"/> is the process CPU time over the same span: on a shared machine the wall-clock rate
/// drops with the load, while Images / CpuSeconds × cores estimates the rate on idle cores.
/// </remarks>
public sealed record SynthBenchmarkResult(string Mode, int Size, int Images, double Seconds, double CpuSeconds)
{
    /// <summary>Images per CPU-second (all threads together).</summary>
    public double ImagesPerCpuSecond => Images / Math.Max(CpuSeconds, 1e-9);

    public double ImagesPerSecond => Images / Math.Max(Seconds, 1e-9);

    /// <summary>Extrapolated minutes for <paramref name="images"/> images at this rate.</summary>
    public double MinutesFor(int images) => images / ImagesPerSecond / 60;
}

/// <summary>
/// `liftedgan bench synth`: times the streaming sampler (no disk) and the dataset writer (images only, and with full
/// ground truth) per size, after one untimed warm-up batch.
/// </summary>
public static class SynthBenchmark
{
    public static IReadOnlyList<SynthBenchmarkResult> Run(int images, IReadOnlyList<int> sizes, int batchSize, Action<string>? report = null)
    {
        if (images <= 0) throw new SyntheticWorldException("count", $"{images}: must be at least 1");
        if (batchSize <= 0) throw new SyntheticWorldException("batch size", $"{batchSize}: must be at least 1");
        foreach (var s in sizes) FaceModel.CheckSize(s);
        TorchRuntime.EnsureLoaded();
        var results = new List<SynthBenchmarkResult>();
        foreach (int size in sizes)
        {
            using (var warm = FaceWorld.SampleBatch(Math.Min(batchSize, images), size, new torch.Generator(0))) { }
            var clock = Stopwatch.StartNew();
            var cpu = CpuSeconds();
            using var g = new torch.Generator(1);
            for (int done = 0; done < images; done += batchSize)
            {
                using var b = FaceWorld.SampleBatch(Math.Min(batchSize, images - done), size, g);
            }
            Add(new SynthBenchmarkResult("stream (no disk)", size, images, clock.Elapsed.TotalSeconds, CpuSeconds() - cpu));
            foreach (var gt in new[] { SynthGroundTruth.None, SynthGroundTruth.Full })
            {
                string dir = Path.Combine(Path.GetTempPath(), $"liftedgan-bench-synth-{Environment.ProcessId}-{size}-{gt}");
                try
                {
                    cpu = CpuSeconds();
                    var r = SynthDataset.Write(new SynthOptions(images, size, 1, dir) { GroundTruth = gt, BatchSize = batchSize });
                    Add(new SynthBenchmarkResult($"dataset, truth {gt.ToString().ToLowerInvariant()}", size, images, r.Seconds, CpuSeconds() - cpu));
                }
                finally
                {
                    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                }
            }
        }
        return results;

        void Add(SynthBenchmarkResult r)
        {
            results.Add(r);
            report?.Invoke($"{r.Mode,-18} {r.Size,4} px: {r.ImagesPerSecond,7:F1} images/s wall, {r.ImagesPerCpuSecond,7:F1} images per CPU-second "
                           + $"({r.Images} images in {r.Seconds:F2} s, CPU {r.CpuSeconds:F2} s; 20,000 at this wall rate: {r.MinutesFor(20000):F1} min)");
        }

        static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }
}
