using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The procedural face world as a StyleGAN2 training stream: every batch is freshly drawn and rendered from the
/// step's generator (no disk, no repeats), so a run stays reproducible from its seeds.
/// </summary>
public sealed class FaceWorldSource : IImageSource
{
    public FaceWorldSource(int resolution)
    {
        FaceModel.CheckSize(resolution);
        Resolution = resolution;
    }

    public int Resolution { get; }

    public Tensor NextBatch(int n, Generator g)
    {
        using var batch = FaceWorld.SampleBatch(n, Resolution, g);
        return batch.Images.detach().clone();
    }
}
