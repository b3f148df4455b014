using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The paper's M (official `netSC`): composes a style code from a source style, a raw light and a raw view:
/// w' = model(embed_style(w) + embed_light(L) + embed_view(V)). With the canonical light and view it gives the
/// neutral style; with perturbed ones, the style of the re-posed, re-lit face.
/// </summary>
public sealed class StyleComposer : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "embed_style")] readonly Mlp styleEmbedding;
    [ComponentName(Name = "embed_light")] readonly Mlp lightEmbedding;
    [ComponentName(Name = "embed_view")] readonly Mlp viewEmbedding;
    [ComponentName(Name = "model")] readonly Mlp mixer;

    readonly bool _residual;

    /// <summary>Sizes as the official netSC; <paramref name="residual"/> adds the output to w (not official; <see cref="LiftingConfig.ResidualComposer"/>).</summary>
    public StyleComposer(long styleDim = 512, long hidden = 512, long lightDim = 4, long viewDim = 6, bool residual = false)
        : base(nameof(StyleComposer))
    {
        _residual = residual;
        styleEmbedding = new Mlp(styleDim, styleDim, 4, hidden, true, new ScaleShift(styleDim));
        lightEmbedding = new Mlp(lightDim, styleDim, 4, hidden, true, new ScaleShift(styleDim));
        viewEmbedding = new Mlp(viewDim, styleDim, 4, hidden, true, new ScaleShift(styleDim));
        mixer = new Mlp(styleDim, styleDim, 4, hidden, true);
        RegisterComponents();
    }

    /// <summary>Zeroes the output layer, so the composer outputs 0 (w itself when residual); returns the zeroed parameters.</summary>
    public IReadOnlyList<Parameter> ZeroOutput() => mixer.ZeroFinalLayer();

    public override Tensor forward(Tensor w, Tensor light, Tensor view)
    {
        using var scope = NewDisposeScope();
        var sum = styleEmbedding.forward(w) + lightEmbedding.forward(light) + viewEmbedding.forward(view);
        var output = mixer.forward(sum);
        return (_residual ? w + output : output).MoveToOuterDisposeScope();
    }
}
