using LiftedGan.Data;
using LiftedGan.Evaluation;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// Samples of a control generator (DiscoFaceGAN or Tax-free, <c>control train</c>): codes drawn from the face model's
/// prior, each generated from its code (Tax-free: with the face model's render of it injected), clamped to [-1, 1].
/// Beside <c>synth:SIZE</c> (the face model's own renders) it measures how close the generator's images are to the
/// world's (the CLI's FID source control:CKPT).
/// </summary>
public sealed class ControlImageSource : IImageSource, IDisposable
{
    readonly ControlGenerator generator;
    readonly string description;

    public ControlImageSource(string checkpoint)
    {
        generator = ControlModel.Load(checkpoint);
        description = StyleGanEvalSource.Label("control", checkpoint, "prior codes");
    }

    public string Describe() => description;

    public int? Resolution => generator.Config.Size;

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var code = ControlCode.Sample(n, generator.Config.NoiseDims, g);
        using var render = generator.Config.Method == ControlMethod.TaxFree ? ControlCode.Render(code, generator.Config.Size) : null;
        return generator.Generate(code, render).clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public void Dispose() => generator.Dispose();
}
