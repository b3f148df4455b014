using static TorchSharp.torch;

namespace LiftedGan.Data;

/// <summary>
/// Images in batches (n, 3, H, W) in [-1, 1] on the CPU, for training (StyleGAN2's data) and for evaluation (FID
/// sides): an image folder, the procedural face world, toy shapes, a StyleGAN2 or a lifted generator. A random source
/// draws all of its randomness from the given generator, so a run is reproducible from its step seeds alone.
/// </summary>
public interface IImageSource
{
    /// <summary>
    /// What the images are, precise enough to key a statistics cache (e.g. the checkpoint's content hash); equal
    /// descriptions must mean equal image streams for equal seeds.
    /// </summary>
    string Describe();

    /// <summary>Side length of the (square) images as made, when known.</summary>
    int? Resolution { get; }

    /// <summary>How many images there are; null for a generator or stream (unlimited).</summary>
    long? Available { get; }

    /// <summary>Whether <see cref="Next"/> draws on the generator (false for a folder read in order).</summary>
    bool IsRandom { get; }

    /// <summary>The next <paramref name="n"/> images.</summary>
    Tensor Next(int n, Generator g);
}
