using LiftedGan.Checkpoints;
using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// An <see cref="AdamOptimizer"/>'s state in torch.optim.Adam's state-dict layout ({'state': {index: {step, exp_avg,
/// exp_avg_sq}}, 'param_groups': [...]}), parameters numbered in the optimiser's own order.
/// </summary>
public static class AdamStateDict
{
    /// <summary>
    /// The optimiser's state as a picklable dict (tensors copied to the CPU). <paramref name="slots"/>: for each
    /// parameter in the file's order, its index in the optimiser, or −1 for one the optimiser does not train (default:
    /// the optimiser's own order). <paramref name="torch2Group"/> adds PyTorch 2's group keys (foreach, capturable,
    /// differentiable, fused).
    /// </summary>
    public static PyDict Export(AdamOptimizer opt, IReadOnlyList<int>? slots = null, bool torch2Group = false)
    {
        slots ??= Enumerable.Range(0, opt.Count).ToList();
        var state = new PyDict();
        for (int k = 0; k < slots.Count; k++)
        {
            int i = slots[k];
            if (i < 0 || opt.Steps[i] == 0) continue;
            var s = new PyDict();
            s.Set("step", tensor((float)opt.Steps[i]));
            s.Set("exp_avg", opt.ExpAvg[i].cpu().clone());
            s.Set("exp_avg_sq", opt.ExpAvgSq[i].cpu().clone());
            state.Set((long)k, s);
        }
        var group = new PyDict();
        group.Set("lr", opt.Lr);
        group.Set("betas", new PyTuple(opt.Beta1, opt.Beta2));
        group.Set("eps", opt.Eps);
        group.Set("weight_decay", opt.WeightDecay);
        group.Set("amsgrad", false);
        group.Set("maximize", false);
        if (torch2Group)
        {
            group.Set("foreach", null);
            group.Set("capturable", false);
            group.Set("differentiable", false);
            group.Set("fused", false);
        }
        group.Set("params", Enumerable.Range(0, slots.Count).Select(k => (object?)(long)k).ToList());
        var root = new PyDict();
        root.Set("state", state);
        root.Set("param_groups", new List<object?> { group });
        return root;
    }

    /// <summary>
    /// Restores moments and step counts. Without <paramref name="slots"/>, entries are numbered in the optimiser's order
    /// and parameters without an entry start fresh; with them (as in <see cref="Export"/>), each entry goes to its
    /// slot's parameter and entries of untrained parameters are skipped.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The state does not match the optimiser's parameters.</exception>
    public static void Restore(AdamOptimizer opt, PyDict value, string path, string key, IReadOnlyList<int>? slots = null)
    {
        if (!value.TryGet("state", out var st) || st is not PyDict state)
            throw new CheckpointFormatException(path, $"{key} has no 'state' dict");
        using var _ = no_grad();
        if (slots is not null)
        {
            foreach (var (entryKey, entry) in state)
            {
                long k = Convert.ToInt64(entryKey);
                if (k < 0 || k >= slots.Count || entry is not PyDict s)
                    throw new CheckpointFormatException(path, $"{key} state entry {entryKey} does not match the networks");
                if (slots[(int)k] is var i && i >= 0) Load(opt, i, s, path, $"{key} state {k}");
            }
            return;
        }
        if (state.Count > opt.Count)
            throw new CheckpointFormatException(path, $"{key} holds state for {state.Count} parameters, the model has {opt.Count}");
        for (int i = 0; i < opt.Count; i++)
        {
            if (!state.TryGet((long)i, out var entry) || entry is not PyDict s)
            {
                opt.Steps[i] = 0; opt.ExpAvg[i].zero_(); opt.ExpAvgSq[i].zero_();
                continue;
            }
            Load(opt, i, s, path, $"{key} state {i}");
        }
    }

    static void Load(AdamOptimizer opt, int i, PyDict s, string path, string what)
    {
        if (!s.TryGet("exp_avg", out var a) || a is not Tensor avg || !s.TryGet("exp_avg_sq", out var b) || b is not Tensor avgSq)
            throw new CheckpointFormatException(path, $"{what}: exp_avg/exp_avg_sq missing");
        if (!avg.shape.SequenceEqual(opt.ExpAvg[i].shape) || !avgSq.shape.SequenceEqual(opt.ExpAvgSq[i].shape))
            throw new CheckpointFormatException(path, $"{what} has shape [{string.Join(", ", avg.shape)}], parameter has [{string.Join(", ", opt.ExpAvg[i].shape)}]");
        opt.ExpAvg[i].copy_(avg);
        opt.ExpAvgSq[i].copy_(avgSq);
        opt.Steps[i] = s.TryGet("step", out var step) ? step switch
        {
            Tensor t => (long)t.to_type(ScalarType.Float64).item<double>(),
            long l => l,
            double d => (long)d,
            var other => throw new CheckpointFormatException(path, $"{what}: step is {other?.GetType().Name ?? "None"}"),
        } : throw new CheckpointFormatException(path, $"{what}: no step");
    }
}
