using LiftedGan.Torch;
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
    public Tensor Map(Tensor z)
    {
        var w = style.forward(z);
        latentMemory?.Add(z, w);
        return w;
    }

    LatentMemory? latentMemory;

    protected override void Dispose(bool disposing)
    {
        if (disposing) latentMemory?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>A ring of the last styles <see cref="Map"/> made and their normalised latents.</summary>
    sealed class LatentMemory(int capacity, int dim) : IDisposable
    {
        readonly Tensor latents = zeros(capacity, dim).DetachFromDisposeScope();
        // Empty rows hold a value no style reaches, so they never match.
        readonly Tensor styles = full(capacity, dim, 1e30f).DetachFromDisposeScope();
        long next;

        public void Add(Tensor z, Tensor w)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var zn = PixelNorm.Normalise(z.detach().to(float32).cpu());
            var wd = w.detach().to(float32).cpu();
            long n = zn.shape[0], keep = Math.Min(n, capacity);
            var rows = (arange(keep, dtype: int64) + next + n - keep).remainder(capacity);
            latents.index_copy_(0, rows, zn.narrow(0, n - keep, keep));
            styles.index_copy_(0, rows, wd.narrow(0, n - keep, keep));
            next = (next + n) % capacity;
        }

        public void Dispose()
        {
            latents.Dispose();
            styles.Dispose();
        }

        /// <summary>The remembered latents of styles <paramref name="w"/> and which rows were found (the others' latents are 0).</summary>
        public (Tensor Latents, Tensor Found) Find(Tensor w)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var wd = w.detach().to(float32).cpu();
            var distance = cdist(wd.unsqueeze(0), styles.unsqueeze(0), p: double.PositiveInfinity).squeeze(0);
            var (best, index) = distance.min(1);
            var found = best.le(1e-5 * wd.abs().amax(new long[] { 1 }, false).clamp_min(1e-3));
            var result = latents.index_select(0, index) * found.unsqueeze(1).to(float32);
            return (result.to(w.device).to(w.dtype).MoveToOuterDisposeScope(), found.to(w.device).MoveToOuterDisposeScope());
        }
    }

    /// <summary>
    /// From now on, remember the normalised latents ẑ = z·√D/‖z‖ of the last <paramref name="capacity"/> styles
    /// <see cref="Map"/> made, so that <see cref="Unmap"/> traces them back to their latents exactly. The mapping network
    /// cannot be inverted numerically (on the world-fit teacher its layers' condition numbers reach 9,400, and a
    /// layer-by-layer float64 inverse of its float32 styles lands a mean 31 and up to 356 units per dimension from ẑ).
    /// </summary>
    public void RememberLatents(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), "at least 1");
        latentMemory ??= new LatentMemory(capacity, Config.StyleDim);
    }

    /// <summary>Adam steps that fit a latent to a style <see cref="Map"/> did not make (<see cref="Unmap"/>).</summary>
    public const int UnmapFitSteps = 1000;

    /// <summary>
    /// Normalised latents ẑ (B × D) of styles <paramref name="w"/>, no gradient. A style that <see cref="Map"/> made since
    /// <see cref="RememberLatents"/> gets its own latent (matched within 10⁻⁵ of its largest entry, so one that went
    /// through float arithmetic such as truncation at ψ 1 is still found). Any other style (e.g. one fitted to a
    /// photograph) gets a latent fitted to it: Adam (lr 0.05, <see cref="UnmapFitSteps"/> steps, a seeded start) on
    /// ‖Map(ẑ) − w‖². Measured on 16 samples of the world-fit teacher: the fitted latent's image is within L1 0.0012 of
    /// the style's image, while the latent differs from the true one in directions the teacher ignores.
    /// </summary>
    public Tensor Unmap(Tensor w)
    {
        using var scope = NewDisposeScope();
        var wd = w.detach();
        var (latents, found) = latentMemory is null
            ? (zeros(wd.shape[0], Config.StyleDim, dtype: wd.dtype, device: wd.device), zeros(wd.shape[0], dtype: ScalarType.Bool, device: wd.device))
            : latentMemory.Find(wd);
        if (!found.all().item<bool>())
        {
            var missing = found.logical_not().nonzero().squeeze(1);
            latents = latents.index_copy(0, missing, FitLatents(wd.index_select(0, missing)));
        }
        return latents.MoveToOuterDisposeScope();
    }

    Tensor FitLatents(Tensor w)
    {
        using var scope = NewDisposeScope();
        var frozen = style.parameters().Where(p => p.requires_grad).ToList();
        foreach (var p in frozen) p.requires_grad = false;
        try
        {
            using var start = new Generator(20_231_207);
            var x = new Parameter(randn(w.shape[0], Config.StyleDim, generator: start).to(w.dtype).to(w.device));
            using var adam = optim.Adam(new[] { x }, lr: 0.05);
            using (enable_grad())
                for (int i = 0; i < UnmapFitSteps; i++)
                {
                    using var step = NewDisposeScope();
                    adam.zero_grad();
                    style.forward(x).sub(w).square().mean().backward();
                    adam.step();
                }
            using var _ = no_grad();
            return PixelNorm.Normalise(x.detach()).MoveToOuterDisposeScope();
        }
        finally { foreach (var p in frozen) p.requires_grad = true; }
    }

    /// <summary>Modules of the mapping network: the pixel norm, then one per linear layer (<see cref="GeneratorConfig.MappingLayers"/> + 1).</summary>
    public int MappingModules => Config.MappingLayers + 1;

    /// <summary>
    /// Mapping modules [<paramref name="start"/>, <paramref name="end"/>) applied to <paramref name="x"/> (B x D): a part of
    /// the mapping network (GAN2Shape splits it into F2 = [0, k) and F1 = [k, all)). An empty range returns x itself.
    /// </summary>
    public Tensor MapPart(Tensor x, int start, int end)
    {
        if (start < 0 || end > MappingModules || start > end)
            throw new ArgumentOutOfRangeException(nameof(start), $"mapping modules [{start}, {end}): the mapping has {MappingModules}");
        using var scope = NewDisposeScope();
        var y = x.alias();
        foreach (var module in style.children().Skip(start).Take(end - start)) y = ((nn.Module<Tensor, Tensor>)module).forward(y);
        return y.MoveToOuterDisposeScope();
    }

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
        if (o.AfterLayer is { } inject) x = inject(0, x);
        features.Add(x);
        var skip = to_rgb1.Forward(x, latent[.., 1], null);
        if (observe is not null) { observe("to_rgb1.conv.modulation", to_rgb1.Conv.Style(latent[.., 1])); observe("to_rgb1", skip); }
        for (int j = 0; j < to_rgbs.Count; j++)
        {
            int i = 2 * j + 1;
            x = RunConv(convs[2 * j], $"convs.{2 * j}", x, latent[.., i], noise[i], o);
            if (o.AfterLayer is { } injectA) x = injectA(i, x);
            x = RunConv(convs[2 * j + 1], $"convs.{2 * j + 1}", x, latent[.., i + 1], noise[i + 1], o);
            if (o.AfterLayer is { } injectB) x = injectB(i + 1, x);
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

/// <summary>The learned 4x4 constant the synthesis network starts from, repeated over the batch.</summary>
public sealed class ConstantInput : nn.Module<long, Tensor>
{
    readonly Parameter input;

    public ConstantInput(long channels, int size = 4, Generator? rng = null) : base(nameof(ConstantInput))
    {
        input = new Parameter(randn(1, channels, size, size, generator: rng));
        RegisterComponents();
    }

    public override Tensor forward(long batch) => input.repeat(batch, 1, 1, 1);
}

/// <summary>Modulated 3x3 convolution (demodulated), noise injection, then the fused leaky ReLU with its bias.</summary>
public sealed class StyledConv : nn.Module
{
    readonly ModulatedConv2d conv;
    readonly NoiseInjection noise;
    readonly FusedLeakyRelu activate;

    public StyledConv(long inChannels, long outChannels, long styleDim, bool upsample, IReadOnlyList<float> blurKernel, Generator? rng = null)
        : base(nameof(StyledConv))
    {
        conv = new ModulatedConv2d(inChannels, outChannels, 3, styleDim, demodulate: true, upsample, blurKernel, rng);
        noise = new NoiseInjection();
        activate = new FusedLeakyRelu(outChannels);
        RegisterComponents();
    }

    /// <summary>The modulated convolution alone (before noise, bias and activation).</summary>
    public ModulatedConv2d Conv => conv;

    /// <summary>Runs the layer; a null <paramref name="noiseMap"/> draws fresh noise from <paramref name="rng"/>.</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? noiseMap, Generator? rng = null)
    {
        using var scope = NewDisposeScope();
        var o = conv.forward(x, w);
        o = noise.Forward(o, noiseMap, rng);
        return activate.forward(o).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// StyleGAN2's style-modulated convolution: a per-sample kernel scale·weight·s (s = modulation(w) per input channel),
/// optionally demodulated per output filter, run as one grouped convolution. The upsampling variant runs a stride-2
/// transposed convolution followed by the [1,3,3,1] blur, giving exactly twice the input size.
/// </summary>
public sealed class ModulatedConv2d : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Parameter weight;
    readonly EqualLinear modulation;
    readonly FirResample? blur;
    readonly double _scale;
    readonly bool _demodulate;
    readonly long _in, _out, _k;

    public ModulatedConv2d(long inChannels, long outChannels, long kernelSize, long styleDim, bool demodulate,
        bool upsample, IReadOnlyList<float> blurKernel, Generator? rng = null) : base(nameof(ModulatedConv2d))
    {
        (_in, _out, _k, _demodulate) = (inChannels, outChannels, kernelSize, demodulate);
        _scale = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        weight = new Parameter(randn([1, outChannels, inChannels, kernelSize, kernelSize], generator: rng));
        modulation = new EqualLinear(styleDim, inChannels, biasInit: 1, rng: rng);
        if (upsample)
        {
            const int factor = 2;
            int p = blurKernel.Count - factor - ((int)kernelSize - 1);
            blur = FirResample.Blur(blurKernel, FloorHalf(p + 1) + factor - 1, FloorHalf(p) + 1, factor);
        }
        RegisterComponents();
    }

    static int FloorHalf(int v) => (int)Math.Floor(v / 2.0);

    /// <summary>The per-input-channel style s = modulation(w), shape (B, in).</summary>
    public Tensor Style(Tensor w) => modulation.forward(w);

    /// <summary>
    /// Runs the convolution with the style applied to the activations (x·s, shared weight, output·demod), which equals
    /// the per-sample-kernel grouped form exactly in real arithmetic and is far faster on CPU (dense convolutions).
    /// </summary>
    public override Tensor forward(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        var s = modulation.forward(w);
        var kernel = weight[0] * _scale;
        var o = x * s.reshape(b, _in, 1, 1);
        Tensor? demod = null;
        if (_demodulate)
            demod = rsqrt(s.square().matmul(kernel.square().sum([2, 3]).t()) + 1e-8).reshape(b, _out, 1, 1);
        if (blur is not null)
        {
            o = ConvGuard.ConvTranspose2d(o, kernel.transpose(0, 1), stride: [2, 2], padding: [0, 0]);
            if (demod is not null) o = o * demod;
            o = blur.forward(o);
        }
        else
        {
            o = ConvGuard.Conv2d(o, kernel, padding: [_k / 2, _k / 2]);
            if (demod is not null) o = o * demod;
        }
        return o.MoveToOuterDisposeScope();
    }
}

/// <summary>Adds weight · noise; without a noise map, draws N(0,1) of shape (B,1,H,W) from the given generator.</summary>
public sealed class NoiseInjection : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Parameter weight;

    public NoiseInjection() : base(nameof(NoiseInjection))
    {
        weight = new Parameter(zeros(1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? noise) => Forward(x, noise, null);

    /// <summary>x + weight · noise, drawing the noise from <paramref name="rng"/> when <paramref name="noise"/> is null.</summary>
    public Tensor Forward(Tensor x, Tensor? noise, Generator? rng)
    {
        using var scope = NewDisposeScope();
        var n = noise ?? randn([x.shape[0], 1, x.shape[2], x.shape[3]], dtype: x.dtype, device: x.device, generator: rng);
        return (x + weight * n).MoveToOuterDisposeScope();
    }
}

/// <summary>1x1 modulated convolution to RGB (no demodulation) plus bias, added to the upsampled previous skip.</summary>
public sealed class ToRgb : nn.Module
{
    readonly Parameter bias;
    readonly FirResample? upsample;
    readonly ModulatedConv2d conv;

    public ToRgb(long inChannels, long styleDim, bool upsampleSkip, IReadOnlyList<float> blurKernel, Generator? rng = null)
        : base(nameof(ToRgb))
    {
        bias = new Parameter(zeros(1, 3, 1, 1));
        if (upsampleSkip) upsample = FirResample.Upsample(blurKernel);
        conv = new ModulatedConv2d(inChannels, 3, 1, styleDim, demodulate: false, upsample: false, blurKernel, rng);
        RegisterComponents();
    }

    /// <summary>The modulated 1x1 convolution alone.</summary>
    public ModulatedConv2d Conv => conv;

    /// <summary>RGB of <paramref name="x"/> under style <paramref name="w"/>, plus the upsampled <paramref name="skip"/> if given.</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? skip)
    {
        using var scope = NewDisposeScope();
        var o = conv.forward(x, w) + bias;
        if (skip is not null) o = o + (upsample is null ? skip : upsample.forward(skip));
        return o.MoveToOuterDisposeScope();
    }
}

/// <summary>The stored per-layer noise maps `noise_0..noise_{L-1}` (1x1xHxW), used when noise is not randomised.</summary>
public sealed class NoiseBuffers : nn.Module
{
    readonly int _count;

    public NoiseBuffers(int sizeLog2, Generator? rng = null) : base(nameof(NoiseBuffers))
    {
        _count = (sizeLog2 - 2) * 2 + 1;
        for (int i = 0; i < _count; i++)
        {
            long res = Resolution(i);
            register_buffer($"noise_{i}", randn([1, 1, res, res], generator: rng));
        }
    }

    /// <summary>Number of noise maps (= number of styled convolutions).</summary>
    public int Count => _count;

    /// <summary>Resolution of noise map <paramref name="layer"/>: 4 for layer 0, then 2^((l+5)/2).</summary>
    public static long Resolution(int layer) => 1L << ((layer + 5) / 2);

    /// <summary>The stored noise map of <paramref name="layer"/>.</summary>
    public Tensor this[int layer] => get_buffer($"noise_{layer}") ?? throw new ArgumentOutOfRangeException(nameof(layer));
}
