using static TorchSharp.torch;
using static LiftedGan.Synthetic.FaceFrame;

namespace LiftedGan.Synthetic;

/// <summary>
/// Canonical depth of the face world: a tapered head ellipsoid (rim at <see cref="FaceModel.RimDepth"/>) carrying smooth
/// analytic bumps for the forehead, brow ridge, eye sockets and eyeballs, cheekbones, nose ridge, tip and wings, lips,
/// mouth opening and chin; the hair shell; a cylindrical neck; and the flat background plane.
/// </summary>
internal static class FaceShape
{
    /// <summary>
    /// Exponent p of the head profile (1 − r²)^p. p = 0.5 is an ellipsoid; 0.38 gives the flatter face front and the
    /// steeper sides of a real head, so the features stand out against the front and the sides turn away sharply.
    /// </summary>
    public const double HeadProfile = 0.38;

    /// <summary>Depth B x S x S in [<see cref="FaceModel.MinDepth"/>, <see cref="FaceModel.MaxDepth"/>].</summary>
    public static Tensor Depth(FaceFrame f, FaceRegions r)
    {
        var head = FaceModel.RimDepth - f[FaceParam.HeadDepth] * (1 - r.HeadRadius2).clamp_min(0).pow(HeadProfile);
        var face = head - Relief(f) * r.Head;
        var neckShape = (1 - (f.X0 / r.NeckHalfWidth).square()).clamp_min(0).sqrt();
        var neck = FaceModel.RimDepth + 0.01 - 0.03 * neckShape;
        var behind = r.Neck * neck + (1 - r.Neck) * FaceModel.BackgroundDepth;
        var skin = r.Head * face + (1 - r.Head) * behind;
        var depth = r.Hair * minimum(r.HairDepth, skin) + (1 - r.Hair) * skin;
        return depth.clamp(FaceModel.MinDepth, FaceModel.MaxDepth);
    }

    /// <summary>Forward relief of the facial features (positive: towards the camera), world units.</summary>
    static Tensor Relief(FaceFrame f)
    {
        var x = f.X;
        var y = f.Y;
        var eyeY = EyeLine;
        var relief = f[FaceParam.Forehead] * Bump(x, y + 0.55, 0.55, 0.3)
            + f[FaceParam.BrowRidge] * Bump(x, y - (eyeY - 0.17 - 0.04 * f[FaceParam.BrowRaise]), 0.5, 0.07)
            - f[FaceParam.EyeSockets] * f.Pair(f.EyeSpacing, d => Bump(d, y - eyeY, f.EyeWidth * 1.1, f.EyeWidth * 0.8))
            + 0.6 * f[FaceParam.EyeSockets] * f.Pair(f.EyeSpacing, d => Bump(d, y - eyeY, f.EyeWidth * 0.6, f.EyeHeight * 0.9))
            + f[FaceParam.Cheekbones] * f.Pair(f.EyeSpacing + 0.12, d => Bump(d, y - (eyeY + 0.24), 0.17, 0.12))
            + 0.004 * f[FaceParam.Smile] * f.Pair(f.MouthWidth + 0.06, d => Bump(d, y - (f.MouthY - 0.12), 0.12, 0.09))
            + f[FaceParam.Chin] * Bump(x, y - 0.84, 0.28, 0.12);

        // Nose: a ridge growing from the bridge to the tip, then falling off towards the upper lip; tip bulb; wings.
        var length = f.NoseTipY - NoseTop;
        var t = ((y - NoseTop) / length).clamp(0, 1);
        var profile = where(y <= f.NoseTipY, t.pow(1.5), (-((y - f.NoseTipY) / 0.07).square()).exp());
        var noseWidth = f[FaceParam.NoseWidth];
        var ridgeWidth = noseWidth * (0.35 + 0.55 * t);
        relief += f[FaceParam.NoseProjection] * profile * (-0.5 * (x / ridgeWidth).square()).exp()
            + f[FaceParam.NoseTip] * Bump(x, y - (f.NoseTipY - 0.01), noseWidth * 0.8, 0.06)
            + 0.35 * f[FaceParam.NoseProjection] * f.Pair(noseWidth * 1.05, d => Bump(d, y - (f.NoseTipY + 0.01), 0.05, 0.045));

        // Mouth: lips above and below the (smile-curved) mouth line, a cavity when open.
        var span = (-(x / f.MouthWidth).pow(6)).exp();
        var inner = (-(x / (f.MouthWidth * 0.85)).pow(6)).exp();
        var lips = f[FaceParam.Lips];
        relief += lips * span * ((-0.5 * ((y - (f.MouthLine - f.MouthGap - 0.03)) / 0.028).square()).exp()
                                 + 1.2 * (-0.5 * ((y - (f.MouthLine + f.MouthGap + 0.035)) / 0.035).square()).exp())
            - 0.015 * f[FaceParam.MouthOpen] * inner * (-0.5 * ((y - f.MouthLine) / (f.MouthGap * 0.8 + 0.005)).square()).exp();
        return relief;
    }
}
