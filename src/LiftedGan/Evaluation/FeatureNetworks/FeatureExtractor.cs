using System.Diagnostics;
using LiftedGan.Data;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Runs a feature network over the first N images of a source, in batches.</summary>
public static class FeatureExtractor
{
    /// <summary>
    /// (N, 2048) float32 pool3 features of <paramref name="count"/> images drawn with <paramref name="seed"/>;
    /// <paramref name="progress"/> gets (done, total, elapsed seconds) after each batch.
    /// </summary>
    public static Tensor Extract(IImageSource source, InceptionNetwork network, int count, int batch, long seed,
        Action<int, int, double>? progress = null)
    {
        if (count < 1) throw new EvaluationException("count", $"{count}: must be at least 1");
        if (batch < 1) throw new EvaluationException("batch size", $"{batch}: must be at least 1");
        var g = new Generator((ulong)seed);
        var parts = new List<Tensor>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int done = 0; done < count;)
            {
                int n = Math.Min(batch, count - done);
                using var scope = NewDisposeScope();
                var images = source.Next(n, g);
                parts.Add(network.Features.forward(images).MoveToOuterDisposeScope());
                done += n;
                progress?.Invoke(done, count, clock.Elapsed.TotalSeconds);
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
