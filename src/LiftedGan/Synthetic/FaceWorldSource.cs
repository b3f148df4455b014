using LiftedGan.Data;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The procedural face world as an image source (StyleGAN2 training data, an FID side): every batch is freshly drawn
/// and rendered from the given generator (<see cref="FaceWorld.SampleBatch"/>; no disk, no repeats), so a run stays
/// reproducible from its seeds.
/// </summary>
public sealed class FaceWorldSource : IImageSource
{
    public FaceWorldSource(int resolution)
    {
        FaceModel.CheckSize(resolution);
        Resolution = resolution;
    }

    public int Resolution { get; }

    int? IImageSource.Resolution => Resolution;

    public string Describe() => $"synth:{Resolution} (procedural face world)";

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var batch = FaceWorld.SampleBatch(n, Resolution, g);
        return batch.Images.detach().clone();
    }
}
