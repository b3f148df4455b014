using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// torchvision VGG16 `features[0:23]` (conv1_1 … relu4_3) in torchvision's key layout (`features.0.weight`, …), split
/// into the four slices the perceptual loss reads: relu1_2, relu2_2, relu3_3, relu4_3. Frozen.
/// </summary>
public sealed class Vgg16Features : nn.Module<Tensor, Tensor[]>
{
    static readonly int[] SliceEnds = { 4, 9, 16, 23 };
    readonly nn.Module<Tensor, Tensor> features;

    public Vgg16Features() : base(nameof(Vgg16Features))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long cin = 3;
        foreach (var (cout, convs) in new (long, int)[] { (64, 2), (128, 2), (256, 3), (512, 3) })
        {
            if (layers.Count > 0) layers.Add(nn.MaxPool2d(2, 2));
            for (int i = 0; i < convs; i++) { layers.Add(new GuardedConv2d(cin, cout, 3, 1, 1)); layers.Add(nn.ReLU()); cin = cout; }
        }
        features = nn.Sequential(layers);
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
    }

    /// <summary>Runs the slices up to <paramref name="lastSlice"/> (0–3) on an ImageNet-normalised batch.</summary>
    public Tensor[] Slices(Tensor x, int lastSlice = 3)
    {
        var outputs = new Tensor[lastSlice + 1];
        var children = features.children().Cast<nn.Module<Tensor, Tensor>>().ToArray();
        var h = x;
        int layer = 0;
        for (int s = 0; s <= lastSlice; s++)
        {
            for (; layer < SliceEnds[s]; layer++) h = children[layer].forward(h);
            outputs[s] = h;
        }
        return outputs;
    }

    public override Tensor[] forward(Tensor x) => Slices(x);

    /// <summary>
    /// The documented substitute when no VGG16 weights are supplied: the same architecture with torchvision's
    /// initialisation (He-normal, fan-out, for convs; zero biases) drawn from a fixed seed, i.e. a random-feature
    /// perceptual distance. Weaker than ImageNet features but deterministic, smooth and scale-aware.
    /// </summary>
    public static Vgg16Features RandomFeatures(long seed = 0)
    {
        var vgg = new Vgg16Features();
        var g = new torch.Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in vgg.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) { p.zero_(); continue; }
            double std = Math.Sqrt(2.0 / (p.shape[0] * p.shape[2] * p.shape[3]));
            using var r = randn(p.shape, generator: g) * std;
            p.copy_(r);
        }
        return vgg;
    }
}
