using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>Bias add, leaky ReLU (slope 0.2) and gain sqrt(2): StyleGAN2's fused activation, with its own bias.</summary>
public sealed class FusedLeakyRelu : nn.Module<Tensor, Tensor>
{
    /// <summary>The activation gain that keeps unit variance.</summary>
    public static readonly double Gain = Math.Sqrt(2);

    readonly Parameter bias;

    public FusedLeakyRelu(long channels) : base(nameof(FusedLeakyRelu))
    {
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Apply(x, bias);

    /// <summary>leaky_relu(x + bias broadcast over dim 1, 0.2) * sqrt(2).</summary>
    public static Tensor Apply(Tensor x, Tensor bias)
    {
        using var scope = NewDisposeScope();
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = bias.shape[0];
        var y = nn.functional.leaky_relu(x + bias.reshape(shape), 0.2) * Gain;
        return y.MoveToOuterDisposeScope();
    }
}
