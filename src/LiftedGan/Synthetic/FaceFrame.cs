using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The coordinate frame shared by the face's depth and albedo: the image grid (x right, y down, both in [-1, 1] across
/// the pixel centres, exactly antisymmetric so that mirrored pixels see mirrored coordinates), the head-local frame
/// (X, Y: 1 = the head's half width / half height), feature positions, and per-image parameter columns. Tensors live
/// in the caller's dispose scope.
/// </summary>
internal sealed class FaceFrame
{
    /// <summary>Head centre in normalised image rows (negative: above the image centre, leaving room for the neck).</summary>
    public const double HeadCentreY = -0.10;

    /// <summary>Eye line in head-local units.</summary>
    public const double EyeLine = -0.10;

    readonly Tensor _p;
    public long Batch { get; }
    public int Size { get; }

    /// <summary>One pixel in normalised image units.</summary>
    public double Pixel { get; }

    public Tensor X0 { get; }
    public Tensor Y0 { get; }
    public Tensor A { get; }
    public Tensor B { get; }

    /// <summary>Head-local x, shifted by the asymmetry (0 at the eye line's top, full shift at the chin).</summary>
    public Tensor X { get; }
    public Tensor Y { get; }

    /// <summary>Soft-edge width in head-local x and y units (about 0.6 pixel).</summary>
    public Tensor EdgeX { get; }
    public Tensor EdgeY { get; }

    public Tensor EyeSpacing { get; }
    public Tensor EyeWidth { get; }
    public Tensor EyeHeight { get; }
    /// <summary>Top of the nose ridge (head-local y).</summary>
    public const double NoseTop = EyeLine + 0.02;

    public Tensor NoseTipY { get; }
    public Tensor MouthY { get; }
    public Tensor MouthWidth { get; }

    /// <summary>Centre line of the mouth (raised at the corners by the smile).</summary>
    public Tensor MouthLine { get; }

    /// <summary>Half the opening between the lips.</summary>
    public Tensor MouthGap { get; }

    /// <summary>Upsampled noise: hair, skin, beard (mirror-symmetric), B x S x S each; background B x 3 x S x S (smooth).</summary>
    public Tensor HairNoise { get; }
    public Tensor SkinNoise { get; }
    public Tensor BeardNoise { get; }
    public Tensor BackgroundNoise { get; }

    public FaceFrame(Tensor parameters, Tensor noise, int size)
    {
        _p = parameters;
        Batch = parameters.shape[0];
        Size = size;
        double c = (size - 1) / 2.0;
        Pixel = 1.0 / c;
        var axis = (arange(size, float32) - c) / c;
        X0 = axis.view(1, 1, size);
        Y0 = axis.view(1, size, 1);
        A = this[FaceParam.HeadWidth];
        B = this[FaceParam.HeadHeight];
        Y = (Y0 - HeadCentreY) / B;
        X = X0 / A + this[FaceParam.Asymmetry] * (Y + 1) * 0.5;
        EdgeX = 0.6 * Pixel / A;
        EdgeY = 0.6 * Pixel / B;

        var smile = this[FaceParam.Smile];
        EyeSpacing = this[FaceParam.EyeSpacing];
        EyeWidth = this[FaceParam.EyeSize];
        EyeHeight = EyeWidth * (0.42 - 0.12 * smile + 0.1 * this[FaceParam.BrowRaise]);
        NoseTipY = EyeLine + this[FaceParam.NoseLength];
        MouthY = NoseTipY + 0.2;
        MouthWidth = this[FaceParam.MouthWidth] * (1 + 0.15 * smile);
        MouthLine = MouthY - 0.1 * smile * (X / MouthWidth).square();
        MouthGap = 0.004 + 0.07 * this[FaceParam.MouthOpen];

        var up = nn.functional.interpolate(noise, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: true);
        var mirrored = (up + up.flip(3)) * (1 / Math.Sqrt(2));
        HairNoise = mirrored[.., 0];
        SkinNoise = mirrored[.., 1];
        BeardNoise = mirrored[.., 2];
        var coarse = nn.functional.avg_pool2d(noise[.., 3..6], 4) * 2;
        BackgroundNoise = nn.functional.interpolate(coarse, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: true);
    }

    /// <summary>Parameter column <paramref name="k"/> as B x 1 x 1.</summary>
    public Tensor this[FaceParam k] => _p[.., (int)k].view(Batch, 1, 1);

    /// <summary>A bilateral feature: <paramref name="f"/> of the outward distance from ±<paramref name="offset"/>, summed over both sides (exactly mirror-symmetric in X).</summary>
    public Tensor Pair(Tensor offset, Func<Tensor, Tensor> f) => f(X - offset) + f(-X - offset);

    /// <summary>Anisotropic Gaussian bump exp(-(dx²/sx² + dy²/sy²)/2).</summary>
    public static Tensor Bump(Tensor dx, Tensor dy, double sx, double sy) =>
        (-0.5 * ((dx / sx).square() + (dy / sy).square())).exp();

    /// <summary>Anisotropic Gaussian bump with tensor widths.</summary>
    public static Tensor Bump(Tensor dx, Tensor dy, Tensor sx, Tensor sy) =>
        (-0.5 * ((dx / sx).square() + (dy / sy).square())).exp();

    /// <summary>Anisotropic Gaussian bump with a tensor x width.</summary>
    public static Tensor Bump(Tensor dx, Tensor dy, Tensor sx, double sy) =>
        (-0.5 * ((dx / sx).square() + (dy / sy).square())).exp();

    /// <summary>Soft step: ~1 where <paramref name="v"/> &gt; 0, over a width <paramref name="w"/>.</summary>
    public static Tensor Step(Tensor v, Tensor w) => sigmoid(v / w);

    /// <summary>Soft step with a scalar width.</summary>
    public static Tensor Step(Tensor v, double w) => sigmoid(v / w);
}
