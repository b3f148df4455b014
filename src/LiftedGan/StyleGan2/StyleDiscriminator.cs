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
