using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Renders of the procedural face world at a given size (<see cref="FaceWorld.SampleBatch"/>).</summary>
public sealed class SynthEvalSource : IEvalImageSource
{
    readonly int size;

    public SynthEvalSource(int size)
    {
        try { FaceModel.CheckSize(size); }
        catch (SyntheticWorldException e) { throw new EvaluationException($"synth:{size}", e.Message); }
        this.size = size;
    }

    public string Describe() => $"synth:{size} (procedural face world)";

    public int? Resolution => size;

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var batch = FaceWorld.SampleBatch(n, size, g);
        return batch.Images.detach().clone();
    }
}
