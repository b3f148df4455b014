using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception's basic unit: convolution without bias, batch norm (eps 1e-3, inference statistics), ReLU.</summary>
public sealed class InceptionConv : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly nn.Module<Tensor, Tensor> bn;

    public InceptionConv(long cin, long cout, (long H, long W) kernel, (long H, long W) stride = default, (long H, long W) padding = default)
        : base(nameof(InceptionConv))
    {
        var s = stride == default ? (1L, 1L) : stride;
        conv = new GuardedConv2d(cin, cout, kernel, stride: s, padding: padding, bias: false);
        bn = nn.BatchNorm2d(cout, eps: 1e-3);
        RegisterComponents();
    }

    /// <summary>Square kernel of size k with the given stride and padding.</summary>
    public InceptionConv(long cin, long cout, long k, long stride = 1, long padding = 0)
        : this(cin, cout, (k, k), (stride, stride), (padding, padding)) { }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.forward(conv.forward(x)));
}
