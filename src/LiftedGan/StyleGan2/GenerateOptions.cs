using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// How <see cref="StyleGenerator.Generate"/> interprets its styles (the official forward's keyword arguments).
/// A style is z (B x D) unless <see cref="InputIsLatent"/>; a 3-D style (B x L x D) is a W+ latent used as is.
/// </summary>
public sealed record GenerateOptions
{
    /// <summary>The styles are already w (skip the mapping network).</summary>
    public bool InputIsLatent { get; init; }

    /// <summary>ψ: styles become mean + ψ(w - mean) when below 1 (needs <see cref="TruncationLatent"/>).</summary>
    public double Truncation { get; init; } = 1;

    /// <summary>The mean w used for truncation (1 x D).</summary>
    public Tensor? TruncationLatent { get; init; }

    /// <summary>With two styles: latent slots [0, index) take the first, the rest the second; null draws it from <see cref="Rng"/>.</summary>
    public int? InjectIndex { get; init; }

    /// <summary>Explicit noise maps, one per styled convolution (overrides everything else about noise).</summary>
    public IReadOnlyList<Tensor>? Noise { get; init; }

    /// <summary>Draw fresh noise (from <see cref="Rng"/>) instead of using the stored noise buffers.</summary>
    public bool RandomizeNoise { get; init; } = true;

    /// <summary>Source of randomness for noise and the inject index.</summary>
    public Generator? Rng { get; init; }

    /// <summary>
    /// Called after styled convolution <c>layer</c> (0 = conv1, then convs.0, convs.1, …; the noise-map numbering) with
    /// its output; the returned map (same shape) continues through the network. Tax-free's per-layer conditioning adds
    /// its unmodulated features here. Null: the official network.
    /// </summary>
    public Func<int, Tensor, Tensor>? AfterLayer { get; init; }

    /// <summary>
    /// Called with an official module name and that module's output, like a PyTorch forward hook. The tensor lives only
    /// for the call; clone it and detach it from the dispose scope to keep it.
    /// </summary>
    public Action<string, Tensor>? Observe { get; init; }
}

/// <summary>
/// What a generator call produced: the image (B x 3 x S x S, unclamped), the styles after truncation, the W+ latent
/// actually used, and the output of the last styled convolution of each resolution (Features; Feat is the last,
/// full-resolution one that LiftedGAN's depth network takes). Tensors belong to the caller's dispose scope.
/// </summary>
public sealed record GeneratorOutput(Tensor Image, IReadOnlyList<Tensor> Styles, Tensor Latent, IReadOnlyList<Tensor> Features)
{
    /// <summary>The last styled convolution's output at full resolution.</summary>
    public Tensor Feat => Features[^1];
}
