using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// Deterministic weights that need no storage, defined by the parity fixture: tensor number <c>seed</c> (1-based
/// position in <c>fid_inception_v3().state_dict()</c>) gets element i = float32(a + b·(2·fmix32(i ⊕ seed·0x9E3779B9)/2³² − 1)),
/// with (a, b) = (0, √(6/fan_in)) for conv weights, (1, 0.2) for bn.weight, (0, 0.1) for bn.bias and running_mean,
/// (1, 0.5) for running_var; num_batches_tracked stays 0. Used as the labelled substitute feature network when no
/// Inception weights are supplied, and to check the port against PyTorch.
/// </summary>
public static class HashedInceptionWeights
{
    /// <summary>The FID-variant network filled with the hashed weights.</summary>
    public static InceptionV3Features Create()
    {
        var net = new InceptionV3Features(InceptionVariant.Fid);
        using var noGrad = no_grad();
        var state = net.state_dict();
        int seed = 0;
        foreach (var key in PytorchOrder(net))
        {
            seed++;
            var t = state[key];
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) { t.zero_(); continue; }
            var (a, b) = Range(key, t.shape);
            using var values = tensor(Values(seed, t.numel(), a, b), t.shape);
            t.copy_(values);
        }
        return net;
    }

    /// <summary>
    /// State-dict keys in PyTorch's order (each module's parameters, then its buffers, module by module); TorchSharp
    /// lists all parameters before all buffers. The seed of a tensor is its 1-based position here.
    /// </summary>
    public static IReadOnlyList<string> PytorchOrder(nn.Module module)
    {
        static string Prefix(string key) => key[..key.LastIndexOf('.')];
        var parameters = module.named_parameters().Select(p => p.name).ToList();
        var buffers = module.named_buffers().Select(b => b.name).ToLookup(Prefix);
        var order = new List<string>();
        foreach (var group in parameters.GroupBy(Prefix))
        {
            order.AddRange(group);
            order.AddRange(buffers[group.Key]);
        }
        return order;
    }

    /// <summary>(a, b) of a tensor, by its key and shape.</summary>
    public static (double A, double B) Range(string key, long[] shape)
    {
        if (key.EndsWith("bn.weight", StringComparison.Ordinal)) return (1, 0.2);
        if (key.EndsWith("running_var", StringComparison.Ordinal)) return (1, 0.5);
        if (key.EndsWith("weight", StringComparison.Ordinal))
        {
            long fanIn = shape.Skip(1).Aggregate(1L, (p, d) => p * d);
            return (0, Math.Sqrt(6.0 / fanIn));
        }
        return (0, 0.1);
    }

    /// <summary>The <paramref name="count"/> values of tensor number <paramref name="seed"/>.</summary>
    public static float[] Values(int seed, long count, double a, double b)
    {
        var result = new float[count];
        uint salt = unchecked((uint)seed * 0x9E3779B9u);
        for (long i = 0; i < count; i++)
        {
            uint h = unchecked((uint)i) ^ salt;
            h ^= h >> 16;
            h = unchecked(h * 0x85EBCA6Bu);
            h ^= h >> 13;
            h = unchecked(h * 0xC2B2AE35u);
            h ^= h >> 16;
            result[i] = (float)(a + b * (2 * (h / 4294967296.0) - 1));
        }
        return result;
    }
}
