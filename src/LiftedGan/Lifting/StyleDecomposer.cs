using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Splits a style code w into light and view (the paper's D_L and D_V; official `netSD`). Returns raw tanh outputs:
/// light (B, 4) = [ambient, diffuse, dx, dy] and view (B, 6) = [rx, ry, rz, tx, ty, tz], each in (−1, 1).
/// The official module also carries a style head whose output every caller discards; it is kept (and loaded) so
/// official checkpoints map one to one, but it is never evaluated and never trained.
/// </summary>
public sealed class StyleDecomposer : nn.Module<Tensor, (Tensor Light, Tensor View)>
{
    [ComponentName(Name = "model_style")] readonly Mlp unusedStyleHead;
    [ComponentName(Name = "model_light")] readonly Mlp lightHead;
    [ComponentName(Name = "model_view")] readonly Mlp viewHead;

    readonly double _minDiffuse;

    /// <summary>Sizes as the official netSD; <paramref name="minDiffuse"/>: the floor of the diffuse strength (<see cref="LiftingConfig.MinDiffuse"/>, official 0).</summary>
    public StyleDecomposer(long styleDim = 512, long hidden = 512, int layers = 4, long lightDim = 4, long viewDim = 6, double minDiffuse = 0)
        : base(nameof(StyleDecomposer))
    {
        if (minDiffuse < 0 || minDiffuse >= 1) throw new ArgumentOutOfRangeException(nameof(minDiffuse), minDiffuse, "the diffuse floor must lie in [0, 1)");
        _minDiffuse = minDiffuse;
        unusedStyleHead = new Mlp(styleDim, styleDim, layers, hidden, normalize: true);
        lightHead = new Mlp(styleDim, lightDim, layers, hidden, normalize: false, output: nn.Tanh());
        viewHead = new Mlp(styleDim, viewDim, layers, hidden, normalize: false, output: nn.Tanh());
        RegisterComponents();
        foreach (var p in unusedStyleHead.parameters()) p.requires_grad = false;
    }

    public override (Tensor Light, Tensor View) forward(Tensor w) => (Light(w), viewHead.forward(w));

    /// <summary>
    /// While set, the light is held at raw 0 for every face (ambient ½, diffuse ½, frontal direction: shading that
    /// re-lights nothing) and the light head is neither run nor trained (<see cref="LiftingConfig.LightWarmupSteps"/>).
    /// </summary>
    public bool HoldLight { get; set; }

    Tensor Light(Tensor w)
    {
        var light = HoldLight ? zeros(w.shape[0], 4, dtype: w.dtype, device: w.device) : lightHead.forward(w);
        if (_minDiffuse == 0) return light;
        using var scope = NewDisposeScope();
        var diffuse = light[.., 1..2];
        return cat(new[] { light[.., ..1], diffuse + _minDiffuse * (1 - diffuse), light[.., 2..] }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Light and view of <paramref name="w"/> with the decomposer's own weights held fixed: gradients reach w (and what
    /// made it) but not the decomposer (<see cref="LiftingConfig.PerturbTrainsDecomposer"/>).
    /// </summary>
    public (Tensor Light, Tensor View) ForwardFixed(Tensor w)
    {
        var trainable = TrainableParameters().ToList();
        foreach (var p in trainable) p.requires_grad = false;
        try { return forward(w); }
        finally { foreach (var p in trainable) p.requires_grad = true; }
    }

    /// <summary>The discarded style head's output (official `netSD(w)[0]`), for parity checks only.</summary>
    public Tensor UnusedStyle(Tensor w) => unusedStyleHead.forward(w);

    /// <summary>Parameters that receive gradients (the style head is excluded, as in the official optimiser state).</summary>
    public IEnumerable<Parameter> TrainableParameters() => lightHead.parameters().Concat(viewHead.parameters());

    /// <summary>The view head's parameters.</summary>
    public IEnumerable<Parameter> ViewParameters() => viewHead.parameters();
}
