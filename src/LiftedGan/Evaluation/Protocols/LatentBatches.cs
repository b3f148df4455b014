using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>The sample loop of the teacher-sample protocols: latents z ~ N(0, I) from one seed, batch by batch.</summary>
public static class LatentBatches
{
    /// <summary>
    /// Calls <paramref name="body"/> with (n, <paramref name="dim"/>) latents, n ≤ <paramref name="batch"/>, until
    /// <paramref name="count"/> are drawn from a generator seeded with <paramref name="seed"/>; each call runs without
    /// gradients inside its own dispose scope.
    /// </summary>
    public static void Run(long seed, int count, int batch, int dim, Action<Tensor> body)
    {
        using var generator = new Generator((ulong)seed);
        for (int start = 0; start < count; start += batch)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            body(randn([Math.Min(batch, count - start), dim], generator: generator));
        }
    }
}
