using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

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
