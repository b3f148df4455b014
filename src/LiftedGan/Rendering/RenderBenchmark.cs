using System.Diagnostics;
using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// One measured configuration of <see cref="RenderBenchmark"/>: median wall milliseconds per call, and the process
/// CPU milliseconds per call averaged over the timed calls (all threads; on a shared machine the wall time also
/// counts waiting for a core).
/// </summary>
public sealed record RenderBenchmarkRow(int ImageSize, int Batch, long Triangles, double RasterizeMs, double ForwardMs, double ForwardBackwardMs,
    double ForwardCpuMs, double ForwardBackwardCpuMs)
{
    /// <summary>Triangles rasterised per second by a full forward render (all samples of the batch).</summary>
    public double TrianglesPerSecond => Triangles / (ForwardMs / 1000);
}

/// <summary>
/// Times the LiftedGAN render (depth-map mesh of S x S vertices, 2·(S-1)² triangles per sample, a view, a
/// transformation map, vertex colours) at batch B: the rasteriser kernel alone, a forward render, and forward +
/// backward to depth, view, transformation map and colours. Inputs are seeded random: a smooth depth (8 x 8 noise
/// upsampled bilinearly, like a face), views within ±30° and ±0.05 translation, T in [0.8, 1].
/// </summary>
public static class RenderBenchmark
{
    /// <summary>Runs the benchmark for each image size; <paramref name="iterations"/> timed calls after one warm-up.</summary>
    public static IReadOnlyList<RenderBenchmarkRow> Run(IEnumerable<int> sizes, int batch = 8, int iterations = 5)
    {
        if (batch < 1) throw new RenderInputException(nameof(batch), $"must be at least 1, got {batch}");
        if (iterations < 1) throw new RenderInputException(nameof(iterations), $"must be at least 1, got {iterations}");
        var rows = new List<RenderBenchmarkRow>();
        foreach (int size in sizes)
        {
            if (size < 3) throw new RenderInputException(nameof(sizes), $"image size must be at least 3, got {size}");
            rows.Add(Measure(size, batch, iterations));
        }
        return rows;
    }

    static RenderBenchmarkRow Measure(int size, int batch, int iterations)
    {
        using var scope = NewDisposeScope();
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = size });
        var gen = new Generator(1234);
        var device = Torch.TorchRuntime.Device;
        var depth = DepthGeometry.Rescale(nn.functional.interpolate(randn(new long[] { batch, 1, 8, 8 }, generator: gen), new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: true).squeeze(1).mul(0.5).tanh(), 0.9, 1.1).to(device);
        var image = (rand(new long[] { batch, 3, size, size }, generator: gen) * 2 - 1).to(device);
        var view = ViewTransform.ScaleRawView(rand(new long[] { batch, 6 }, generator: gen).mul(2).sub(1).mul(0.5)).to(device);
        var tmap = rand(new long[] { batch, 1, size, size }, generator: gen).mul(0.2).add(0.8).to(device);
        var weights = randn(new long[] { batch, 3, size, size }, generator: gen).to(device);
        var faces = renderer.Faces(size, size, device);
        Tensor screen;
        using (no_grad()) screen = renderer.Camera.ToScreen(renderer.MeshVertices(depth, view, tmap));

        double raster = Median(iterations, out _, () =>
        {
            using var fr = Rasterizer.Rasterize(screen, faces, size, size);
        });
        double forward = Median(iterations, out double forwardCpu, () =>
        {
            using var inner = NewDisposeScope();
            using var _ = no_grad();
            using var r = renderer.Render(depth, image, view, tmap);
        });
        double backward = Median(iterations, out double backwardCpu, () =>
        {
            using var inner = NewDisposeScope();
            var d = depth.detach().requires_grad_(true);
            var im = image.detach().requires_grad_(true);
            var v = view.detach().requires_grad_(true);
            var t = tmap.detach().requires_grad_(true);
            using var r = renderer.Render(d, im, v, t);
            (r.Image * weights).sum().backward();
        });
        return new RenderBenchmarkRow(size, batch, 2L * (size - 1) * (size - 1) * batch, raster, forward, backward, forwardCpu, backwardCpu);
    }

    static double Median(int iterations, out double cpuMs, Action body)
    {
        body();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            var sw = Stopwatch.StartNew();
            body();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        process.Refresh();
        cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds / iterations;
        Array.Sort(times);
        return times[iterations / 2];
    }
}
