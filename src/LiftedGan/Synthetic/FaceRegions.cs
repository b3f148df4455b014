using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The soft regions of a face image (head skin, hair, neck), each B x S x S in [0, 1], and the hair shell's depth.
/// The hair shell is an ellipsoid a little larger than the head (by the hair volume), reaching down beside the neck
/// for long hair; hair shows on it above the hairline and wherever the shell lies outside the head and the neck.
/// </summary>
internal sealed class FaceRegions
{
    public Tensor HeadRadius2 { get; }
    public Tensor Head { get; }
    public Tensor Hair { get; }
    public Tensor Neck { get; }
    public Tensor NeckHalfWidth { get; }

    /// <summary>How much the neck follows the head (1 under the chin, 0 at the bottom row).</summary>
    public Tensor NeckFollow { get; }
    public Tensor HairDepth { get; }

    public FaceRegions(FaceFrame f)
    {
        var jaw = f[FaceParam.JawWidth];
        var below = f.Y.clamp(0, 1);
        var above = (-f.Y).clamp(0, 1);
        var width = (1 - (1 - jaw) * below.square()) * (1 - 0.1 * above.square());
        HeadRadius2 = (f.X / width).square() + f.Y.square();
        Head = FaceFrame.Step(1 - HeadRadius2.sqrt(), f.EdgeX);

        var volume = f[FaceParam.HairVolume];
        var length = f[FaceParam.HairLength];
        var shellA = f.A * (1.05 + 0.08 * volume);
        var top = f.B * (1.04 + 0.08 * volume);
        var bottom = f.B * (0.62 + 1.0 * length);
        var dy = f.Y0 - FaceFrame.HeadCentreY;
        var ys = where(dy < 0, dy / top, dy / bottom);
        var shellR2 = (f.X0 / shellA).square() + ys.square();
        var shell = FaceFrame.Step(1 - shellR2.sqrt(), 0.6 * f.Pixel / shellA);
        var hairline = -(0.40 + 0.32 * f[FaceParam.Hairline]) + 0.9 * f.X.square().square() + 0.04 * f.HairNoise;
        var onHead = FaceFrame.Step(hairline - f.Y, f.EdgeY);

        NeckHalfWidth = f.A * (0.40 + 0.12 * jaw);
        var neckTop = FaceFrame.HeadCentreY + 0.2 * f.B;
        Neck = FaceFrame.Step(NeckHalfWidth - f.X0.abs(), 0.6 * f.Pixel) * FaceFrame.Step(f.Y0 - neckTop, 0.05);
        var chinY = FaceFrame.HeadCentreY + 0.9 * f.B;
        NeckFollow = ((1 - f.Y0) / (1 - chinY)).clamp(0, 1);

        Hair = shell * (onHead * Head + (1 - Head) * (1 - Neck));
        HairDepth = FaceModel.RimDepth - 0.002 - (f[FaceParam.HeadDepth] + 0.01 * volume) * (1 - shellR2).clamp_min(0).sqrt();
    }
}
