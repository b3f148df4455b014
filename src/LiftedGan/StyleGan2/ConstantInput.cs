using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

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
