using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// The discriminator's conv layer as the official numbered Sequential: [blur (when downsampling),] equalised conv
/// (stride 2 when downsampling; its own bias only when not activated), [fused leaky ReLU with bias (when activated)].
/// </summary>
public static class ConvLayer
{
    public static Sequential Create(long inChannels, long outChannels, int kernelSize, bool downsample, IReadOnlyList<float> blurKernel,
        bool activate = true, bool bias = true, Generator? rng = null)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long stride = 1, padding = kernelSize / 2;
        if (downsample)
        {
            int p = blurKernel.Count - 2 + (kernelSize - 1);
            layers.Add(FirResample.Blur(blurKernel, (p + 1) / 2, p / 2));
            (stride, padding) = (2, 0);
        }
        layers.Add(new EqualConv2d(inChannels, outChannels, kernelSize, stride, padding, useBias: bias && !activate, rng));
        if (activate) layers.Add(new FusedLeakyRelu(outChannels));
        return nn.Sequential(layers.ToArray());
    }
}
