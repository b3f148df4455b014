using LiftedGan.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// A procedural toy dataset: one filled disc or square per image, in one of a few saturated colours, with random
/// centre and size, on a dark grey background. Used by the trainer test and the "synth" training data of `stylegan train`.
/// </summary>
public sealed class ShapesSource(int resolution) : IImageSource
{
    static readonly float[,] Palette = { { 1, -1, -1 }, { -1, 1, -1 }, { -1, -1, 1 }, { 1, 1, -1 } };

    public int Resolution { get; } = resolution;

    int? IImageSource.Resolution => Resolution;

    public string Describe() => $"shapes:{Resolution} (procedural discs and squares)";

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        int s = Resolution;
        var coords = (arange(s, dtype: ScalarType.Float32) + 0.5f) / s;
        var ys = coords.reshape(1, s, 1);
        var xs = coords.reshape(1, 1, s);
        var cy = (rand([n, 1, 1], generator: g) * 0.4 + 0.3);
        var cx = (rand([n, 1, 1], generator: g) * 0.4 + 0.3);
        var r = (rand([n, 1, 1], generator: g) * 0.15 + 0.15);
        var isDisc = rand([n, 1, 1], generator: g) < 0.5;
        var disc = (ys - cy).square() + (xs - cx).square() <= r.square();
        var square = ((ys - cy).abs() <= r * 0.85).logical_and((xs - cx).abs() <= r * 0.85);
        var mask = where(isDisc, disc, square).unsqueeze(1).to(ScalarType.Float32);
        var colour = tensor(Palette).index_select(0, randint(0, Palette.GetLength(0), [n], generator: g)).reshape(n, 3, 1, 1);
        var background = full([n, 3, s, s], -0.6f);
        return (mask * colour + (1 - mask) * background).MoveToOuterDisposeScope();
    }
}
