using System.Diagnostics;
using LiftedGan.Torch;
using TorchSharp;

namespace LiftedGan.Synthetic;

/// <summary>One benchmark line: images per second of one way of producing images at one size.</summary>
public sealed record SynthBenchmarkResult(string Mode, int Size, int Images, double Seconds)
{
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
        if (images <= 0) throw new SyntheticWorldException("--n", $"{images}: must be at least 1");
        if (batchSize <= 0) throw new SyntheticWorldException("--batch", $"{batchSize}: must be at least 1");
        foreach (var s in sizes) FaceModel.CheckSize(s);
        TorchRuntime.EnsureLoaded();
        var results = new List<SynthBenchmarkResult>();
        foreach (int size in sizes)
        {
            using (var warm = FaceWorld.SampleBatch(Math.Min(batchSize, images), size, new torch.Generator(0))) { }
            var clock = Stopwatch.StartNew();
            using var g = new torch.Generator(1);
            for (int done = 0; done < images; done += batchSize)
            {
                using var b = FaceWorld.SampleBatch(Math.Min(batchSize, images - done), size, g);
            }
            Add(new SynthBenchmarkResult("stream (no disk)", size, images, clock.Elapsed.TotalSeconds));
            foreach (var gt in new[] { SynthGroundTruth.None, SynthGroundTruth.Full })
            {
                string dir = Path.Combine(Path.GetTempPath(), $"liftedgan-bench-synth-{Environment.ProcessId}-{size}-{gt}");
                try
                {
                    var r = SynthDataset.Write(new SynthOptions(images, size, 1, dir) { GroundTruth = gt, BatchSize = batchSize });
                    Add(new SynthBenchmarkResult($"synth --gt {gt.ToString().ToLowerInvariant()}", size, images, r.Seconds));
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
            report?.Invoke($"{r.Mode,-20} {r.Size,4} px: {r.ImagesPerSecond,7:F1} images/s ({r.Images} images in {r.Seconds:F2} s; 20,000 would take {r.MinutesFor(20000):F1} min)");
        }
    }
}
