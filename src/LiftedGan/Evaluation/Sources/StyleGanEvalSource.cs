using System.Security.Cryptography;
using LiftedGan.Data;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Samples of a StyleGAN2 checkpoint (its <c>g_ema</c>) as test_fid.py draws them: z ~ N(0, I), no truncation
/// (ψ = 1), fresh noise, output clamped to [-1, 1].
/// </summary>
public sealed class StyleGanEvalSource : IImageSource, IDisposable
{
    readonly StyleGenerator generator;
    readonly string description;

    public StyleGanEvalSource(string checkpoint)
    {
        if (!File.Exists(checkpoint)) throw new EvaluationException(checkpoint, "StyleGAN2 checkpoint does not exist");
        generator = StyleGanCheckpoint.LoadGenerator(checkpoint);
        generator.eval();
        description = Label("stylegan", checkpoint, "psi 1");
    }

    /// <summary>KIND:full path (sha256 of the file's first 16 hex digits, NOTE): what a checkpoint source describes itself as (and is cached by).</summary>
    internal static string Label(string kind, string checkpoint, string note)
    {
        using var stream = File.OpenRead(checkpoint);
        return $"{kind}:{Path.GetFullPath(checkpoint)} (sha256 {Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}, {note})";
    }

    public string Describe() => description;

    public int? Resolution => generator.Config.Size;

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = randn([n, generator.Config.StyleDim], generator: g);
        var image = generator.Generate([z], new GenerateOptions { Rng = g, RandomizeNoise = true }).Image;
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public void Dispose() => generator.Dispose();
}
