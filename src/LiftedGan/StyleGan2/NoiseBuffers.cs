using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>The stored per-layer noise maps `noise_0..noise_{L-1}` (1x1xHxW), used when noise is not randomised.</summary>
public sealed class NoiseBuffers : nn.Module
{
    readonly int _count;

    public NoiseBuffers(int sizeLog2, Generator? rng = null) : base(nameof(NoiseBuffers))
    {
        _count = (sizeLog2 - 2) * 2 + 1;
        for (int i = 0; i < _count; i++)
        {
            long res = Resolution(i);
            register_buffer($"noise_{i}", randn([1, 1, res, res], generator: rng));
        }
    }

    /// <summary>Number of noise maps (= number of styled convolutions).</summary>
    public int Count => _count;

    /// <summary>Resolution of noise map <paramref name="layer"/>: 4 for layer 0, then 2^((l+5)/2).</summary>
    public static long Resolution(int layer) => 1L << ((layer + 5) / 2);

    /// <summary>The stored noise map of <paramref name="layer"/>.</summary>
    public Tensor this[int layer] => get_buffer($"noise_{layer}") ?? throw new ArgumentOutOfRangeException(nameof(layer));
}
