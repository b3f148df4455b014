using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>Learned per-feature affine map y = weight·x + bias, with weight and bias of shape (1, C).</summary>
public sealed class ScaleShift : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;

    public ScaleShift(long channels, double initScale = 1.0) : base(nameof(ScaleShift))
    {
        weight = new Parameter(full(1, channels, initScale));
        bias = new Parameter(zeros(1, channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => torch.addcmul(bias, weight, x, 1);
}
