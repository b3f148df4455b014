using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// The StyleGAN2 residual discriminator with official key names: `convs` (1x1 fromRGB then ResBlocks down to 4x4),
/// minibatch standard deviation (group ≤ 4, one feature), `final_conv` 3x3 and `final_linear` (lrelu linear, linear).
/// </summary>
public sealed class StyleDiscriminator : nn.Module<Tensor, Tensor>
{
    const int StddevGroup = 4;
    readonly Sequential convs;
    readonly Sequential final_conv;
    readonly Sequential final_linear;

    public StyleDiscriminator(DiscriminatorConfig config, Generator? rng = null) : base(nameof(StyleDiscriminator))
    {
        if (config.Size < 8 || config.Size > 1024 || (config.Size & (config.Size - 1)) != 0)
            throw new StyleGanException($"size {config.Size}: must be a power of two between 8 and 1024");
        Config = config;
        var blocks = new List<nn.Module<Tensor, Tensor>> { ConvLayer.Create(3, config.ChannelsAt(config.Size), 1, false, config.BlurKernel, rng: rng) };
        long inCh = config.ChannelsAt(config.Size);
        for (int res = config.Size; res > 4; res /= 2)
        {
            long outCh = config.ChannelsAt(res / 2);
            blocks.Add(new ResBlock(inCh, outCh, config.BlurKernel, rng));
            inCh = outCh;
        }
        convs = nn.Sequential(blocks.ToArray());
        long c4 = config.ChannelsAt(4);
        final_conv = ConvLayer.Create(inCh + 1, c4, 3, false, config.BlurKernel, rng: rng);
        final_linear = nn.Sequential(new EqualLinear(c4 * 16, c4, activate: true, rng: rng), new EqualLinear(c4, 1, rng: rng));
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public DiscriminatorConfig Config { get; }

    /// <summary>Realness logits, shape (B, 1).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var o = convs.forward(images);
        long b = o.shape[0], c = o.shape[1], h = o.shape[2], w = o.shape[3];
        long group = Math.Min(b, StddevGroup);
        while (b % group != 0) group--;
        var sd = o.reshape(group, -1, 1, c, h, w);
        sd = (sd.var(0, unbiased: false) + 1e-8).sqrt();
        sd = sd.mean([2, 3, 4], keepdim: true).squeeze(2);
        sd = sd.repeat(group, 1, h, w);
        o = cat([o, sd], 1);
        o = final_conv.forward(o);
        return final_linear.forward(o.reshape(b, -1)).MoveToOuterDisposeScope();
    }
}

/// <summary>Discriminator residual block: two 3x3 convs (the second downsamples) plus a 1x1 downsampling skip, summed / sqrt(2).</summary>
public sealed class ResBlock : nn.Module<Tensor, Tensor>
{
    readonly Sequential conv1;
    readonly Sequential conv2;
    readonly Sequential skip;

    public ResBlock(long inChannels, long outChannels, IReadOnlyList<float> blurKernel, Generator? rng = null) : base(nameof(ResBlock))
    {
        conv1 = ConvLayer.Create(inChannels, inChannels, 3, false, blurKernel, rng: rng);
        conv2 = ConvLayer.Create(inChannels, outChannels, 3, true, blurKernel, rng: rng);
        skip = ConvLayer.Create(inChannels, outChannels, 1, true, blurKernel, activate: false, bias: false, rng: rng);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var o = conv2.forward(conv1.forward(x));
        return ((o + skip.forward(x)) / Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}

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

/// <summary>Convolution with equalised learning rate: weight ~ N(0,1) scaled by 1/sqrt(in·k²) at run time.</summary>
public sealed class EqualConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly double _scale;
    readonly long _stride, _padding;

    public EqualConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool useBias = true, Generator? rng = null)
        : base(nameof(EqualConv2d))
    {
        weight = new Parameter(randn([outChannels, inChannels, kernelSize, kernelSize], generator: rng));
        if (useBias) bias = new Parameter(zeros(outChannels));
        _scale = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        (_stride, _padding) = (stride, padding);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ConvGuard.Conv2d(x, weight * _scale, bias, stride: [_stride, _stride], padding: [_padding, _padding])
            .MoveToOuterDisposeScope();
    }
}
