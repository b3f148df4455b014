using LiftedGan.Checkpoints;
using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// An <see cref="AdamOptimizer"/>'s state in torch.optim.Adam's state-dict layout ({'state': {index: {step, exp_avg,
/// exp_avg_sq}}, 'param_groups': [...]}), parameters numbered in the optimiser's own order.
/// </summary>
public static class AdamStateDict
{
    /// <summary>The optimiser's state as a picklable dict (tensors copied to the CPU).</summary>
    public static PyDict Export(AdamOptimizer opt)
    {
        var state = new PyDict();
        for (int i = 0; i < opt.Count; i++)
        {
            if (opt.Steps[i] == 0) continue;
            var s = new PyDict();
            s.Set("step", tensor((float)opt.Steps[i]));
            s.Set("exp_avg", opt.ExpAvg[i].cpu().clone());
            s.Set("exp_avg_sq", opt.ExpAvgSq[i].cpu().clone());
            state.Set((long)i, s);
        }
        var group = new PyDict();
        group.Set("lr", opt.Lr);
        group.Set("betas", new PyTuple(opt.Beta1, opt.Beta2));
        group.Set("eps", opt.Eps);
        group.Set("weight_decay", opt.WeightDecay);
        group.Set("amsgrad", false);
        group.Set("maximize", false);
        group.Set("params", Enumerable.Range(0, opt.Count).Select(i => (object?)(long)i).ToList());
        var root = new PyDict();
        root.Set("state", state);
        root.Set("param_groups", new List<object?> { group });
        return root;
    }

    /// <summary>Restores moments and step counts; parameters without an entry start fresh.</summary>
    /// <exception cref="CheckpointFormatException">The state does not match the optimiser's parameters.</exception>
    public static void Restore(AdamOptimizer opt, PyDict value, string path, string key)
    {
        if (!value.TryGet("state", out var st) || st is not PyDict state)
            throw new CheckpointFormatException(path, $"{key} has no 'state' dict");
        if (state.Count > opt.Count)
            throw new CheckpointFormatException(path, $"{key} holds state for {state.Count} parameters, the model has {opt.Count}");
        using var _ = no_grad();
        for (int i = 0; i < opt.Count; i++)
        {
            if (!state.TryGet((long)i, out var entry) || entry is not PyDict s)
            {
                opt.Steps[i] = 0; opt.ExpAvg[i].zero_(); opt.ExpAvgSq[i].zero_();
                continue;
            }
            if (!s.TryGet("exp_avg", out var a) || a is not Tensor avg || !s.TryGet("exp_avg_sq", out var b) || b is not Tensor avgSq)
                throw new CheckpointFormatException(path, $"{key} state {i}: exp_avg/exp_avg_sq missing");
            if (!avg.shape.SequenceEqual(opt.ExpAvg[i].shape) || !avgSq.shape.SequenceEqual(opt.ExpAvgSq[i].shape))
                throw new CheckpointFormatException(path, $"{key} state {i} has shape [{string.Join(", ", avg.shape)}], parameter has [{string.Join(", ", opt.ExpAvg[i].shape)}]");
            opt.ExpAvg[i].copy_(avg);
            opt.ExpAvgSq[i].copy_(avgSq);
            opt.Steps[i] = s.TryGet("step", out var step) ? step switch
            {
                Tensor t => (long)t.to_type(ScalarType.Float64).item<double>(),
                long l => l,
                double d => (long)d,
                var other => throw new CheckpointFormatException(path, $"{key} state {i}: step is {other?.GetType().Name ?? "None"}"),
            } : throw new CheckpointFormatException(path, $"{key} state {i}: no step");
        }
    }
}
