using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The LiftedGAN MLP: (layers−1) × [Linear → GroupNorm(hidden/4 groups, optional) → LeakyReLU(0.2)], a final Linear, and
/// an optional output module. Its layers live in a sequence named `mlp`, numbered as the official code numbers them.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> mlp;

    public Mlp(long inputs, long outputs, int layers = 4, long hidden = 512, bool normalize = true, nn.Module<Tensor, Tensor>? output = null)
        : base(nameof(Mlp))
    {
        if (layers < 1) throw new ArgumentException($"MLP needs at least one layer, got {layers}");
        var seq = new List<nn.Module<Tensor, Tensor>>();
        long width = inputs;
        for (int i = 0; i < layers - 1; i++)
        {
            seq.Add(nn.Linear(width, hidden));
            if (normalize) seq.Add(new FeatureGroupNorm(hidden / 4, hidden));
            seq.Add(nn.LeakyReLU(0.2));
            width = hidden;
        }
        seq.Add(nn.Linear(width, outputs));
        if (output != null) seq.Add(output);
        mlp = nn.Sequential(seq);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => mlp.forward(x);

    /// <summary>Zeroes the final linear layer (weight and bias), so the MLP outputs zero (before any output module); returns its parameters.</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> ZeroFinalLayer()
    {
        var last = mlp.children().OfType<TorchSharp.Modules.Linear>().Last();
        using (no_grad())
        {
            last.weight!.zero_();
            last.bias?.zero_();
        }
        return last.parameters().ToList();
    }
}
