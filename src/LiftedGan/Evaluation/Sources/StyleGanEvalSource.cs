using LiftedGan.Data;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Samples of a StyleGAN2 checkpoint (its <c>g_ema</c>) as test_fid.py draws them: z ~ N(0, I), no truncation
/// (ψ = 1), fresh noise, output clamped to [-1, 1].
/// </summary>
public sealed class StyleGanEvalSource : GeneratedImageSource, IDisposable
{
    readonly StyleGenerator generator;
    readonly string description;

    public StyleGanEvalSource(string checkpoint)
    {
        if (!File.Exists(checkpoint)) throw new EvaluationException(checkpoint, "StyleGAN2 checkpoint does not exist");
        generator = StyleGanCheckpoint.LoadGenerator(checkpoint);
        generator.eval();
        description = CheckpointLabel("stylegan", checkpoint, "psi 1");
    }

    public override string Describe() => description;

    public override int? Resolution => generator.Config.Size;

    protected override Tensor Draw(int n, Generator g)
    {
        var z = randn([n, generator.Config.StyleDim], generator: g);
        return generator.Generate([z], new GenerateOptions { Rng = g, RandomizeNoise = true }).Image.clamp(-1, 1);
    }

    public void Dispose() => generator.Dispose();
}
