using LiftedGan.Data;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// Samples of a control generator (DiscoFaceGAN or Tax-free, <c>control train</c>): codes drawn from the face model's
/// prior, each generated from its code (Tax-free: with the face model's render of it injected), clamped to [-1, 1].
/// Beside <c>synth:SIZE</c> (the face model's own renders) it measures how close the generator's images are to the
/// world's (the CLI's FID source control:CKPT).
/// </summary>
public sealed class ControlImageSource : GeneratedImageSource, IDisposable
{
    readonly ControlGenerator generator;
    readonly string description;

    public ControlImageSource(string checkpoint)
    {
        generator = ControlModel.Load(checkpoint);
        description = CheckpointLabel("control", checkpoint, "prior codes");
    }

    public override string Describe() => description;

    public override int? Resolution => generator.Config.Size;

    protected override Tensor Draw(int n, Generator g)
    {
        var code = ControlCode.Sample(n, generator.Config.NoiseDims, g);
        using var render = generator.Config.Method == ControlMethod.TaxFree ? ControlCode.Render(code, generator.Config.Size) : null;
        return generator.Generate(code, render).clamp(-1, 1);
    }

    public void Dispose() => generator.Dispose();
}
