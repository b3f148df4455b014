using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// Adam (PyTorch's single-tensor update, optional coupled L2 weight decay as torch.optim.Adam's) whose per-parameter state (step, exp_avg, exp_avg_sq) is
/// open, so checkpoints can store it in PyTorch's optimizer state-dict layout and resume bit-exactly.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    readonly IReadOnlyList<Parameter> _params;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps = 1e-8, double weightDecay = 0)
    {
        _params = parameters.ToList();
        (Lr, Beta1, Beta2, Eps, WeightDecay) = (lr, beta1, beta2, eps, weightDecay);
        Steps = new long[_params.Count];
        ExpAvg = _params.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        ExpAvgSq = _params.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>
    /// Adam for a network regularised every <paramref name="regEvery"/> steps: lr·c and betas^c with c = k/(k+1)
    /// (StyleGAN2's lazy-regularisation correction); k = 0 gives plain Adam.
    /// </summary>
    public static AdamOptimizer ForLazyRegularisation(IEnumerable<Parameter> parameters, double lr, int regEvery, double beta1 = 0, double beta2 = 0.99)
    {
        double c = regEvery > 0 ? regEvery / (regEvery + 1.0) : 1.0;
        return new AdamOptimizer(parameters, lr * c, Math.Pow(beta1, c), Math.Pow(beta2, c));
    }

    public double Lr { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>Coupled L2 decay: the gradient gets + decay·parameter before the moments (not AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>Number of updates applied to each parameter.</summary>
    public long[] Steps { get; }

    /// <summary>First-moment estimates, one per parameter.</summary>
    public Tensor[] ExpAvg { get; }

    /// <summary>Second-moment estimates, one per parameter.</summary>
    public Tensor[] ExpAvgSq { get; }

    /// <summary>Number of parameters handled.</summary>
    public int Count => _params.Count;

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params) p.grad?.zero_();
    }

    /// <summary>
    /// Applies one update to every parameter that has a gradient, except those whose handles are in
    /// <paramref name="leave"/> (held for this step: neither they nor their moments change).
    /// </summary>
    public void Step(IReadOnlySet<IntPtr>? leave = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _params.Count; i++)
        {
            var grad = _params[i].grad;
            if (grad is null || (leave is not null && leave.Contains(_params[i].Handle))) continue;
            if (WeightDecay != 0) grad = grad.add(_params[i], alpha: WeightDecay);
            long step = ++Steps[i];
            ExpAvg[i].mul_(Beta1).add_(grad, alpha: 1 - Beta1);
            ExpAvgSq[i].mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
            double bc1 = 1 - Math.Pow(Beta1, step), bc2 = 1 - Math.Pow(Beta2, step);
            var denom = (ExpAvgSq[i].sqrt() / Math.Sqrt(bc2)).add_(Eps);
            _params[i].addcdiv_(ExpAvg[i], denom, value: -Lr / bc1);
        }
    }

    /// <summary>Forgets the state of <paramref name="parameters"/> (moments zero, no steps), as for newly created ones.</summary>
    public void Reset(IEnumerable<Parameter> parameters)
    {
        var handles = parameters.Select(p => p.Handle).ToHashSet();
        using var _ = no_grad();
        for (int i = 0; i < _params.Count; i++)
        {
            if (!handles.Contains(_params[i].Handle)) continue;
            Steps[i] = 0;
            ExpAvg[i].zero_();
            ExpAvgSq[i].zero_();
        }
    }

    public void Dispose()
    {
        foreach (var t in ExpAvg.Concat(ExpAvgSq)) t.Dispose();
    }
}
