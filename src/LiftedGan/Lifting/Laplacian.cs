using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>The 4-neighbour Laplacian [[0,−1,0],[−1,4,−1],[0,−1,0]]/4 with reflect padding of 1 (official Laplacian(0)).</summary>
public static class Laplacian
{
    static readonly Lazy<Tensor> Kernel = new(() =>
        tensor(new float[] { 0, -1, 0, -1, 4, -1, 0, -1, 0 }, new long[] { 1, 1, 3, 3 }).div_(4).DetachFromDisposeScope());

    /// <summary>Applies the Laplacian to every channel of (B, C, H, W).</summary>
    public static Tensor Apply(Tensor x) => DepthwiseFilter.Apply(x, Kernel.Value, 1);
}
