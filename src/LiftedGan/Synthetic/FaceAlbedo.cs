using static TorchSharp.torch;
using static LiftedGan.Synthetic.FaceFrame;

namespace LiftedGan.Synthetic;

/// <summary>
/// Canonical albedo of the face world, in [0, 1]: background (two-colour gradient plus smooth noise), neck, skin from a
/// dark-to-light palette with blush and slight texture, lips, open mouth with teeth, eyes (white, iris from a palette,
/// pupil, lash line), eyebrows, textured hair, optional beard and moustache, optional dark glasses-like frames.
/// </summary>
internal static class FaceAlbedo
{
    static readonly double[][] SkinPalette =
    {
        new[] { 0.22, 0.13, 0.08 }, new[] { 0.42, 0.27, 0.17 }, new[] { 0.64, 0.45, 0.32 },
        new[] { 0.84, 0.65, 0.52 }, new[] { 0.96, 0.82, 0.72 },
    };

    static readonly double[][] HairPalette =
    {
        new[] { 0.04, 0.035, 0.03 }, new[] { 0.16, 0.10, 0.06 }, new[] { 0.36, 0.22, 0.12 },
        new[] { 0.55, 0.24, 0.10 }, new[] { 0.86, 0.70, 0.42 }, new[] { 0.72, 0.71, 0.70 },
    };

    static readonly double[][] IrisPalette =
    {
        new[] { 0.18, 0.10, 0.05 }, new[] { 0.36, 0.21, 0.10 }, new[] { 0.48, 0.36, 0.16 },
        new[] { 0.32, 0.45, 0.22 }, new[] { 0.30, 0.48, 0.72 }, new[] { 0.52, 0.56, 0.60 },
    };

    /// <summary>Albedo B x 3 x S x S in [0, 1].</summary>
    public static Tensor Albedo(FaceFrame f, FaceRegions r)
    {
        var x = f.X;
        var y = f.Y;
        var eyeY = EyeLine;
        var soft = f.EdgeY;
        var skin = Palette(SkinPalette, f[FaceParam.SkinTone]) * (1 + f[FaceParam.SkinRedness].unsqueeze(1) * Rgb(0.06, -0.03, -0.05));
        var hairColour = Palette(HairPalette, f[FaceParam.HairColour]);

        // Background, neck.
        var angle = f[FaceParam.BackgroundAngle];
        var ramp = (0.5 + 0.35 * (f.X0 * angle.cos() + f.Y0 * angle.sin())).unsqueeze(1);
        var c0 = Colour(f, FaceParam.BackgroundRed0);
        var c1 = Colour(f, FaceParam.BackgroundRed1);
        var albedo = c0 + (c1 - c0) * ramp + f[FaceParam.BackgroundNoise].unsqueeze(1) * f.BackgroundNoise;
        albedo = Blend(albedo, skin * 0.82, r.Neck);

        // Skin with blush, eye shadow and a little texture.
        var face = skin * (1 + 0.04 * f.SkinNoise.unsqueeze(1));
        var blush = f[FaceParam.SkinRedness] * 0.5 * f.Pair(f.EyeSpacing + 0.05, d => Bump(d, y - (eyeY + 0.32), 0.14, 0.1));
        face = Blend(face, skin * Rgb(1.02, 0.78, 0.76), blush);
        face = face * (1 - 0.12 * f.Pair(f.EyeSpacing, d => Bump(d, y - eyeY, f.EyeWidth * 1.2, f.EyeWidth * 0.8))).unsqueeze(1);

        // Lips and mouth.
        var span = Step(f.MouthWidth - x.abs(), f.EdgeX * 2);
        var upper = f.MouthLine - f.MouthGap - 0.055 + 0.02 * (-(x / 0.06).square()).exp();
        var lower = f.MouthLine + f.MouthGap + 0.07;
        var lipsMask = span * Step(y - upper, soft) * Step(lower - y, soft);
        var lipColour = skin * Rgb(0.80, 0.52, 0.52) + f[FaceParam.LipColour].unsqueeze(1) * Rgb(0.14, -0.04, -0.02);
        face = Blend(face, lipColour, lipsMask);
        var open = Step(f.MouthWidth * 0.85 - x.abs(), f.EdgeX) * Step(f.MouthGap - (y - f.MouthLine).abs(), soft) * Step(f[FaceParam.MouthOpen] - 0.05, 0.02);
        face = Blend(face, Rgb(0.20, 0.05, 0.06), open);
        var teeth = open * Step(f.MouthLine - f.MouthGap * 0.2 - y, soft) * Step(f.MouthWidth * 0.6 - x.abs(), f.EdgeX);
        face = Blend(face, Rgb(0.93, 0.90, 0.84), teeth);

        // Eyes: opening, iris, pupil, lash line.
        var irisColour = Palette(IrisPalette, f[FaceParam.IrisColour]);
        var rho = Tensor (Tensor d) => ((d / f.EyeWidth).square() + ((y - eyeY) / f.EyeHeight).square()).sqrt();
        var irisRadius = f.EyeHeight * f.B * 0.95;
        var irisRho = Tensor (Tensor d) => ((d * f.A).square() + ((y - eyeY) * f.B).square()).sqrt() / irisRadius;
        var eyeSoft = 0.6 * f.Pixel / (f.EyeHeight * f.B);
        var opening = f.Pair(f.EyeSpacing, d => Step(1 - rho(d), eyeSoft));
        face = Blend(face, Rgb(0.84, 0.82, 0.79), opening);
        var iris = opening * f.Pair(f.EyeSpacing, d => Step(1 - irisRho(d), eyeSoft));
        var irisShade = f.Pair(f.EyeSpacing, d => 0.75 + 0.35 * (1 - irisRho(d)).clamp(0, 1));
        face = Blend(face, irisColour * irisShade.unsqueeze(1), iris);
        var pupil = opening * f.Pair(f.EyeSpacing, d => Step(0.42 - irisRho(d), eyeSoft));
        face = Blend(face, Rgb(0.03, 0.02, 0.02), pupil);
        var lash = f.Pair(f.EyeSpacing, d => Step(rho(d) - 0.97, eyeSoft) * Step(1.28 - rho(d), eyeSoft)
                                              * (0.35 + 0.6 * Step(eyeY + 0.3 * f.EyeHeight - y, soft)));
        face = Blend(face, Rgb(0.07, 0.05, 0.04), lash);

        // Eyebrows: arcs above the eyes, thicker at the inner end, raised by the expression.
        var thick = f[FaceParam.BrowThickness];
        var browColour = hairColour * 0.75 + Rgb(0.02, 0.015, 0.01);
        var brows = f.Pair(f.EyeSpacing, d =>
        {
            var line = eyeY - f.EyeHeight - 0.08 - 0.08 * f[FaceParam.BrowRaise] + 0.6 * (d - 0.02).square();
            var half = (0.016 + 0.024 * thick) * (1 - 0.4 * (d / 0.2).clamp(0, 1));
            return Step(half - (y - line).abs(), soft) * Step(d + 0.15, f.EdgeX) * Step(0.21 - d, f.EdgeX);
        });
        face = Blend(face, browColour, brows * (0.6 + 0.35 * thick));

        // Beard and moustache.
        var beardRegion = Step(y - (f.NoseTipY + 0.07), 0.03) * (1 - lipsMask) * (1 - open)
                          * (Step(y - (f.MouthY - 0.1), 0.04) + Step(f.MouthY - 0.1 - y, 0.04) * Step(f.MouthWidth * 1.2 - x.abs(), 0.04))
                          + Step(x.abs() - 0.78, 0.05) * Step(y - eyeY, 0.05) * Step(f.MouthY - y, 0.05);
        var beard = (beardRegion.clamp(0, 1) * f[FaceParam.FacialHair] * (1.1 + 0.5 * f.BeardNoise)).clamp(0, 0.95);
        face = Blend(face, hairColour * (0.85 + 0.2 * f.BeardNoise.unsqueeze(1)), beard);
        albedo = Blend(albedo, face, r.Head);

        // Hair: strands radiating from above the crown, with noise.
        var crown = FaceFrame.HeadCentreY - 1.4 * f.B;
        var strands = (atan2(f.X0, f.Y0 - crown).abs() * 48 + 2.5 * f.HairNoise).cos();
        var hair = hairColour * (0.78 + 0.14 * strands + 0.12 * f.HairNoise).unsqueeze(1);
        albedo = Blend(albedo, hair, r.Hair);

        // Glasses-like frames: rings around the eyes, a bridge and temple arms.
        var ring = f.Pair(f.EyeSpacing, d =>
        {
            var rg = ((d * f.A).square() + ((y - eyeY) * f.B).square()).sqrt() / (f.EyeWidth * f.A * 1.5);
            return Step(0.07 - (rg - 1).abs(), 0.04);
        });
        var bar = Step(0.016 - (y - (eyeY - 0.04)).abs(), soft);
        var bridge = bar * Step(f.EyeSpacing - f.EyeWidth * 1.45 - x.abs(), f.EdgeX);
        var arms = bar * Step(x.abs() - (f.EyeSpacing + f.EyeWidth * 1.45), f.EdgeX) * r.Head;
        var frames = ((ring + bridge + arms).clamp(0, 1)) * f[FaceParam.Glasses];
        albedo = Blend(albedo, Rgb(0.05, 0.05, 0.06), frames);
        return albedo.clamp(0, 1);
    }

    /// <summary>Colour 1 x 3 x 1 x 1.</summary>
    static Tensor Rgb(double r, double g, double b) => tensor(new float[] { (float)r, (float)g, (float)b }).view(1, 3, 1, 1);

    /// <summary>The three consecutive parameter columns starting at <paramref name="red"/>, as B x 3 x 1 x 1.</summary>
    static Tensor Colour(FaceFrame f, FaceParam red) =>
        cat(new[] { f[red], f[red + 1], f[red + 2] }, 1).unsqueeze(-1);

    /// <summary>Piecewise-linear palette lookup at t in [0, 1] (B x 1 x 1): B x 3 x 1 x 1.</summary>
    static Tensor Palette(double[][] stops, Tensor t)
    {
        var position = t.unsqueeze(1) * (stops.Length - 1);
        Tensor? colour = null;
        for (int i = 0; i < stops.Length; i++)
        {
            var w = (1 - (position - i).abs()).clamp_min(0);
            var term = w * Rgb(stops[i][0], stops[i][1], stops[i][2]);
            colour = colour is null ? term : colour + term;
        }
        return colour!;
    }

    /// <summary>base + (colour - base)·mask, with mask B x S x S.</summary>
    static Tensor Blend(Tensor under, Tensor over, Tensor mask) => under + (over - under) * mask.unsqueeze(1);
}
