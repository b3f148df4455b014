using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// A 3DMM-controlled generator on the project's StyleGAN2 synthesis network (<see cref="StyleGenerator"/>, used as is;
/// its own mapping network is not used and not trained). Both methods take a control code (<see cref="ControlCode"/>):
/// <list type="bullet">
/// <item><b>Disco</b> (DiscoFaceGAN §4.1): w = MLP(code) over the whole code (identity, expression, light, pose,
/// other); no input normalisation (the paper removed it); StyleGAN2 instead of the paper's StyleGAN v1.</item>
/// <item><b>TaxFree</b> (§4.7): w = MLP(PixelNorm(noise part)) and the code's parameters enter only through rep(p), the
/// face model's render, albedo and normals, encoded by <see cref="ConditionEncoder"/> and added to the output of every
/// synthesis layer (<see cref="GenerateOptions.AfterLayer"/>), unmodulated by w. The paper concatenates E's features to
/// the layer input with their modulation fixed to 1; adding a learned unmodulated map is the same family (the layer's
/// output is modulated-conv(x) + conv(c)) and keeps ∂²l/∂z∂c = 0 at that layer.</item>
/// </list>
/// Per-pixel noise uses the stored buffers, so a code gives one image.
/// </summary>
public sealed class ControlGenerator : nn.Module
{
    readonly StyleGenerator synthesis;
    readonly Sequential mapping;
    readonly ConditionEncoder? encoder;

    /// <summary>A new generator, initialised from <see cref="ControlConfig.Seed"/>.</summary>
    public ControlGenerator(ControlConfig config) : base(nameof(ControlGenerator))
    {
        config.Validate();
        Config = config;
        using var rng = new Generator((ulong)config.Seed);
        synthesis = new StyleGenerator(config.Generator, rng);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long input = config.Method == ControlMethod.Disco ? config.CodeDims : config.NoiseDims;
        if (config.Method == ControlMethod.TaxFree) layers.Add(new PixelNorm());
        for (int i = 0; i < config.MappingLayers; i++)
            layers.Add(new EqualLinear(i == 0 ? input : config.StyleDim, config.StyleDim, lrMul: config.MappingLrMultiplier, activate: true, rng: rng));
        mapping = nn.Sequential(layers.ToArray());
        if (config.Method == ControlMethod.TaxFree)
            encoder = SeededInit.Apply(new ConditionEncoder(config.Generator, config.EncoderWidth), rng);
        RegisterComponents();
    }

    /// <summary>The settings it was built with.</summary>
    public ControlConfig Config { get; }

    /// <summary>The parameters that are trained (all but the synthesis network's unused mapping).</summary>
    public IEnumerable<Parameter> TrainedParameters() =>
        named_parameters().Where(p => !p.name.StartsWith("synthesis.style.", StringComparison.Ordinal)).Select(p => p.parameter);

    /// <summary>rep(p) of a render: image, albedo and normals as B × 9 × S × S.</summary>
    public static Tensor Representation(FaceBatch render) =>
        cat(new[] { render.Images, render.Albedo, render.Normals.permute(0, 3, 1, 2) }, 1);

    /// <summary>
    /// Images B × 3 × S × S of codes B × (52 + noise); Tax-free needs <paramref name="render"/>, the face model's render
    /// of the same codes (<see cref="ControlCode.Render"/>), and renders it itself when it is null.
    /// </summary>
    public Tensor Generate(Tensor code, FaceBatch? render = null)
    {
        if (ControlCode.NoiseDimensions(code) != Config.NoiseDims)
            throw new ControlException("code", $"{code.shape[1]} dimensions; this generator takes {Config.CodeDims}");
        using var scope = NewDisposeScope();
        Tensor w;
        Func<int, Tensor, Tensor>? inject = null;
        if (encoder is null) w = mapping.forward(code);
        else
        {
            w = mapping.forward(code.narrow(1, ControlCode.ParameterDimensions, Config.NoiseDims));
            FaceBatch? own = render is null ? ControlCode.Render(code, Config.Size) : null;
            try
            {
                var features = encoder.Encode(Representation(render ?? own!));
                inject = (layer, x) => x + features[layer];
            }
            finally { own?.Dispose(); }
        }
        var output = synthesis.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false, AfterLayer = inject });
        return output.Image.MoveToOuterDisposeScope();
    }
}
