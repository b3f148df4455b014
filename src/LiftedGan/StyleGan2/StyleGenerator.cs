using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// The StyleGAN2 generator with the official module layout (state-dict keys equal the official names): mapping
/// network `style` (PixelNorm + equalised fused-lrelu linears), constant `input`, `conv1`/`to_rgb1` at 4x4, then per
/// resolution an upsampling and a plain styled convolution (`convs`) and a ToRGB skip (`to_rgbs`); stored `noises`.
/// </summary>
public sealed class StyleGenerator : nn.Module
{
    readonly Sequential style;
    readonly ConstantInput input;
    readonly StyledConv conv1;
    readonly ToRgb to_rgb1;
    readonly ModuleList<StyledConv> convs;
    readonly ModuleList<ToRgb> to_rgbs;
    readonly NoiseBuffers noises;

    /// <summary>Builds the generator with the official initialisation, drawing from <paramref name="rng"/>.</summary>
    public StyleGenerator(GeneratorConfig config, Generator? rng = null) : base(nameof(StyleGenerator))
    {
        config.Validate();
        Config = config;
        var mapping = new List<nn.Module<Tensor, Tensor>> { new PixelNorm() };
        for (int i = 0; i < config.MappingLayers; i++)
            mapping.Add(new EqualLinear(config.StyleDim, config.StyleDim, lrMul: config.LrMlp, activate: true, rng: rng));
        style = nn.Sequential(mapping.ToArray());

        int c4 = config.ChannelsAt(4);
        input = new ConstantInput(c4, rng: rng);
        conv1 = new StyledConv(c4, c4, config.StyleDim, upsample: false, config.BlurKernel, rng);
        to_rgb1 = new ToRgb(c4, config.StyleDim, upsampleSkip: false, config.BlurKernel, rng);

        var convList = new List<StyledConv>();
        var rgbList = new List<ToRgb>();
        int inCh = c4;
        for (int res = 8; res <= config.Size; res *= 2)
        {
            int outCh = config.ChannelsAt(res);
            convList.Add(new StyledConv(inCh, outCh, config.StyleDim, upsample: true, config.BlurKernel, rng));
            convList.Add(new StyledConv(outCh, outCh, config.StyleDim, upsample: false, config.BlurKernel, rng));
            rgbList.Add(new ToRgb(outCh, config.StyleDim, upsampleSkip: true, config.BlurKernel, rng));
            inCh = outCh;
        }
        convs = nn.ModuleList(convList.ToArray());
        to_rgbs = nn.ModuleList(rgbList.ToArray());
        noises = new NoiseBuffers(config.SizeLog2, rng);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public GeneratorConfig Config { get; }

    /// <summary>Number of W+ latent slots.</summary>
    public int NumLatents => Config.NumLatents;

    /// <summary>Number of noise maps.</summary>
    public int NumLayers => Config.NumLayers;

    /// <summary>The stored noise map of styled convolution <paramref name="layer"/>.</summary>
    public Tensor StoredNoise(int layer) => noises[layer];

    /// <summary>The mapping network: z (B x D) to w (B x D).</summary>
    public Tensor Map(Tensor z) => style.forward(z);

    /// <summary>Mean w over <paramref name="count"/> latents drawn from <paramref name="rng"/> (1 x D).</summary>
    public Tensor MeanLatent(int count, Generator? rng)
    {
        using var scope = NewDisposeScope();
        var p = parameters().First();
        var z = randn([count, Config.StyleDim], dtype: p.dtype, device: p.device, generator: rng);
        return Map(z).mean([0], keepdim: true).MoveToOuterDisposeScope();
    }

    /// <summary>The official forward: map (unless latent), truncate, mix or broadcast into W+, then synthesise.</summary>
    public GeneratorOutput Generate(IReadOnlyList<Tensor> styles, GenerateOptions? options = null)
    {
        var o = options ?? new GenerateOptions();
        if (styles.Count == 0) throw new ArgumentException("styles: at least one style is needed");
        using var scope = NewDisposeScope();
        var ws = o.InputIsLatent ? styles.ToList() : styles.Select(Map).ToList();
        if (o.Truncation < 1)
        {
            var mean = o.TruncationLatent ?? throw new ArgumentException("truncation: a truncation latent (mean w) is needed when ψ < 1");
            ws = ws.Select(w => mean + o.Truncation * (w - mean)).ToList();
        }
        Tensor latent;
        int n = NumLatents;
        if (ws.Count < 2)
        {
            latent = ws[0].dim() < 3 ? ws[0].unsqueeze(1).repeat(1, n, 1) : ws[0];
        }
        else
        {
            int inject = o.InjectIndex ?? (int)randint(1, n, [1], generator: o.Rng).item<long>();
            if (inject < 1 || inject > n) throw new ArgumentException($"inject index {inject}: must be in 1..{n}");
            latent = cat([ws[0].unsqueeze(1).repeat(1, inject, 1), ws[1].unsqueeze(1).repeat(1, n - inject, 1)], 1);
        }
        if (latent.dim() != 3 || latent.shape[1] != n || latent.shape[2] != Config.StyleDim)
            throw new ArgumentException($"latent: expected B x {n} x {Config.StyleDim}, got [{string.Join(", ", latent.shape)}]");

        var (image, features) = Synthesize(latent, o);
        // Tensors made here move to the caller's scope; the caller's own inputs (W given as is) stay where they are.
        // The latent itself (not a copy) is returned so gradients can be taken with respect to it (path length).
        var kept = new HashSet<Tensor>(styles, ReferenceEqualityComparer.Instance);
        Tensor Out(Tensor t) => kept.Add(t) ? t.MoveToOuterDisposeScope() : t;
        return new GeneratorOutput(image.MoveToOuterDisposeScope(), ws.Select(Out).ToList(), Out(latent),
            features.Select(f => f.MoveToOuterDisposeScope()).ToList());
    }

    (Tensor Image, List<Tensor> Features) Synthesize(Tensor latent, GenerateOptions o)
    {
        var noise = new Tensor?[NumLayers];
        for (int i = 0; i < NumLayers; i++)
            noise[i] = o.Noise is not null ? o.Noise[i] : o.RandomizeNoise ? null : noises[i];
        if (o.Noise is not null && o.Noise.Count != NumLayers)
            throw new ArgumentException($"noise: expected {NumLayers} maps, got {o.Noise.Count}");
        var observe = o.Observe;
        var features = new List<Tensor>();

        var x = input.forward(latent.shape[0]);
        observe?.Invoke("input", x);
        x = RunConv(conv1, "conv1", x, latent[.., 0], noise[0], o);
        features.Add(x);
        var skip = to_rgb1.Forward(x, latent[.., 1], null);
        if (observe is not null) { observe("to_rgb1.conv.modulation", to_rgb1.Conv.Style(latent[.., 1])); observe("to_rgb1", skip); }
        for (int j = 0; j < to_rgbs.Count; j++)
        {
            int i = 2 * j + 1;
            x = RunConv(convs[2 * j], $"convs.{2 * j}", x, latent[.., i], noise[i], o);
            x = RunConv(convs[2 * j + 1], $"convs.{2 * j + 1}", x, latent[.., i + 1], noise[i + 1], o);
            features.Add(x);
            skip = to_rgbs[j].Forward(x, latent[.., i + 2], skip);
            observe?.Invoke($"to_rgbs.{j}", skip);
        }
        return (skip, features);
    }

    static Tensor RunConv(StyledConv layer, string name, Tensor x, Tensor w, Tensor? noise, GenerateOptions o)
    {
        if (o.Observe is { } observe)
        {
            observe($"{name}.conv.modulation", layer.Conv.Style(w));
            observe($"{name}.conv", layer.Conv.forward(x, w));
        }
        var y = layer.Forward(x, w, noise, o.Rng);
        o.Observe?.Invoke(name, y);
        return y;
    }
}
