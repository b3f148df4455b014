using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// Differentiable augmentation (Zhao et al. 2020) with the fixed policy "color,translation,cutout", applied to every
/// image the discriminator sees (reals and fakes): brightness ±0.5, saturation ×[0,2], contrast ×[0.5,1.5], integer
/// translation up to 1/8 of the size (zero fill), and one zeroed square of half the size.
/// </summary>
public static class DiffAugment
{
    /// <summary>Augments (B, C, H, W) images, drawing from <paramref name="g"/>; gradients flow to <paramref name="x"/>.</summary>
    public static Tensor Apply(Tensor x, Generator g)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var o = x + (rand([b, 1, 1, 1], generator: g) - 0.5);
        var mean = o.mean([1], keepdim: true);
        o = (o - mean) * (rand([b, 1, 1, 1], generator: g) * 2) + mean;
        mean = o.mean([1, 2, 3], keepdim: true);
        o = (o - mean) * (rand([b, 1, 1, 1], generator: g) + 0.5) + mean;
        o = Translate(o, 0.125, g);
        o = Cutout(o, 0.5, g);
        return o.MoveToOuterDisposeScope();
    }

    static Tensor Translate(Tensor x, double ratio, Generator g)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        long sy = (long)(h * ratio + 0.5), sx = (long)(w * ratio + 0.5);
        var ty = randint(-sy, sy + 1, [b, 1, 1], generator: g);
        var tx = randint(-sx, sx + 1, [b, 1, 1], generator: g);
        var rows = (arange(h).reshape(1, h, 1) - ty).expand(b, h, w);
        var cols = (arange(w).reshape(1, 1, w) - tx).expand(b, h, w);
        var valid = rows.ge(0).logical_and(rows.lt(h)).logical_and(cols.ge(0)).logical_and(cols.lt(w));
        var flat = (rows.clamp(0, h - 1) * w + cols.clamp(0, w - 1)).reshape(b, 1, h * w).expand(b, x.shape[1], h * w);
        var moved = x.reshape(b, x.shape[1], h * w).gather(2, flat).reshape(x.shape);
        return moved * valid.unsqueeze(1).to(x.dtype);
    }

    static Tensor Cutout(Tensor x, double ratio, Generator g)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        long ch = (long)(h * ratio + 0.5), cw = (long)(w * ratio + 0.5);
        var oy = randint(0, h + (1 - ch % 2), [b, 1, 1], generator: g);
        var ox = randint(0, w + (1 - cw % 2), [b, 1, 1], generator: g);
        var rows = arange(h).reshape(1, h, 1) - oy + ch / 2;
        var cols = arange(w).reshape(1, 1, w) - ox + cw / 2;
        var inside = rows.ge(0).logical_and(rows.lt(ch)).logical_and(cols.ge(0)).logical_and(cols.lt(cw));
        return x * inside.logical_not().unsqueeze(1).to(x.dtype);
    }
}
