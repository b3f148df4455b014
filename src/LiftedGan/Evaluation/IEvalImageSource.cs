using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Images to evaluate: a folder, a generator, the procedural face world (and, plugged in by the lifting code, the
/// lifted generator). Batches are (n, 3, H, W) in [-1, 1] on the CPU; any H, W (the feature network resizes to 299).
/// </summary>
public interface IEvalImageSource
{
    /// <summary>
    /// What the images are, precise enough to key a statistics cache (e.g. the checkpoint's content hash); equal
    /// descriptions must mean equal image streams for equal seeds.
    /// </summary>
    string Describe();

    /// <summary>Side length of the images as made (before the resize to 299), when known.</summary>
    int? Resolution { get; }

    /// <summary>How many images there are; null for a generator (unlimited).</summary>
    long? Available { get; }

    /// <summary>Whether <see cref="Next"/> draws on the generator (false for a folder read in order).</summary>
    bool IsRandom { get; }

    /// <summary>The next <paramref name="n"/> images.</summary>
    Tensor Next(int n, Generator g);
}
