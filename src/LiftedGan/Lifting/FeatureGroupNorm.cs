using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// GroupNorm over the channel axis for (B, C) vectors as well as (B, C, H, W) maps (PyTorch's nn.GroupNorm semantics:
/// affine weight and bias of shape (C,), eps 1e-5). LiftedGAN uses groups of 4 channels everywhere.
/// </summary>
public sealed class FeatureGroupNorm : nn.Module<Tensor, Tensor>
{
    readonly long _groups;
    readonly double _eps;
    readonly Parameter weight;
    readonly Parameter bias;

    public FeatureGroupNorm(long groups, long channels, double eps = 1e-5) : base(nameof(FeatureGroupNorm))
    {
        if (channels % groups != 0) throw new ArgumentException($"GroupNorm: {channels} channels do not split into {groups} groups");
        _groups = groups;
        _eps = eps;
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 2) return nn.functional.group_norm(x, _groups, weight, bias, _eps);
        using var x3 = x.unsqueeze(-1);
        using var y = nn.functional.group_norm(x3, _groups, weight, bias, _eps);
        return y.squeeze(-1);
    }
}
