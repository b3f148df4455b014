using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Torch;

/// <summary>
/// Re-draws the randomly initialised layers of a module (Linear and every convolution: Conv2d, ConvTranspose2d, <see cref="GuardedConv2d"/>, <see cref="GuardedConvTranspose2d"/>) from an explicit generator,
/// with libtorch's default distributions: weight U(−b, b) with b = 1/√fan_in (kaiming_uniform, a = √5), then bias
/// U(−b, b) with the same fan_in, layer by layer in depth-first registration order. The draws equal those a
/// constructor makes right after <c>torch.manual_seed(seed)</c>, so results stay the same as with global seeding,
/// but no other thread drawing from libtorch's global generator can change them. Every other parameter (norms, PReLU, custom ones) is deterministic at
/// construction and left as it is.
/// </summary>
public static class SeededInit
{
    /// <summary>Re-initialises <paramref name="module"/> from a generator seeded with <paramref name="seed"/>; returns it.</summary>
    public static T Apply<T>(T module, long seed) where T : nn.Module
    {
        using var generator = new Generator((ulong)seed);
        return Apply(module, generator);
    }

    /// <summary>Re-initialises <paramref name="module"/> drawing from <paramref name="generator"/>; returns it.</summary>
    public static T Apply<T>(T module, Generator generator) where T : nn.Module
    {
        using var _ = no_grad();
        foreach (var layer in PreOrder(module))
        {
            var (weight, bias) = layer switch
            {
                Linear l => (l.weight, l.bias),
                Convolution c => (c.weight, c.bias),
                _ => ((Parameter?)null, (Parameter?)null),
            };
            if (weight is null) continue;
            // PyTorch's fan_in: dim 1 times the kernel size (for a transposed convolution dim 1 is its output channels).
            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            // The bounds are computed as libtorch computes them, so the draws match bit for bit.
            double std = Math.Sqrt(2.0 / (1 + 5.0)) / Math.Sqrt(fanIn);
            weight.uniform_(-Math.Sqrt(3.0) * std, Math.Sqrt(3.0) * std, generator);
            double biasBound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            bias?.uniform_(-biasBound, biasBound, generator);
        }
        return module;
    }

    /// <summary>The module, then each child's subtree in registration order (TorchSharp's modules() is breadth-first).</summary>
    static IEnumerable<nn.Module> PreOrder(nn.Module module) =>
        module.named_children().SelectMany(c => PreOrder(c.module)).Prepend(module);
}
