using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// A stream of training images: each call returns a fresh batch (n, 3, S, S) in [-1, 1] on the CPU, drawing all of its
/// randomness from the given generator (so a run is reproducible from the step seeds alone).
/// </summary>
public interface IImageSource
{
    /// <summary>Side length S of the images.</summary>
    int Resolution { get; }

    /// <summary>The next <paramref name="n"/> images.</summary>
    Tensor NextBatch(int n, Generator g);
}
