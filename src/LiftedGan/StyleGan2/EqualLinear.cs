using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// Linear layer with equalised learning rate: stored weight ~ N(0, 1/lrMul²), runtime weight = stored · lrMul/sqrt(in),
/// runtime bias = stored · lrMul; optionally followed by the fused leaky ReLU.
/// </summary>
public sealed class EqualLinear : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;
    readonly double _scale;
    readonly double _lrMul;
    readonly bool _activate;

    public EqualLinear(long inFeatures, long outFeatures, double biasInit = 0, double lrMul = 1, bool activate = false, Generator? rng = null)
        : base(nameof(EqualLinear))
    {
        weight = new Parameter(randn(outFeatures, inFeatures, generator: rng).div_(lrMul));
        bias = new Parameter(full(outFeatures, biasInit));
        _scale = 1.0 / Math.Sqrt(inFeatures) * lrMul;
        _lrMul = lrMul;
        _activate = activate;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var w = weight * _scale;
        var y = _activate
            ? FusedLeakyRelu.Apply(nn.functional.linear(x, w), bias * _lrMul)
            : nn.functional.linear(x, w, bias * _lrMul);
        return y.MoveToOuterDisposeScope();
    }
}
