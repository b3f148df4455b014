using static LiftedGan.Synthetic.FaceParam;
using static LiftedGan.Synthetic.FaceParamGroup;

namespace LiftedGan.Synthetic;

/// <summary>The documented parameter table of the face world, in <see cref="FaceParam"/> order.</summary>
public static class FaceParameters
{
    /// <summary>Every parameter, indexed by (int)<see cref="FaceParam"/>.</summary>
    public static readonly IReadOnlyList<FaceParameter> All = new FaceParameter[]
    {
        new(HeadWidth, "head_width", Shape, 0.56, 0.66, "half width of the head ellipse, in normalised image units (1 = half the image)"),
        new(HeadHeight, "head_height", Shape, 0.70, 0.80, "half height of the head ellipse, in normalised image units"),
        new(HeadDepth, "head_depth", Shape, 0.060, 0.078, "depth of the head from its rim (depth 1.02) to its front, world units"),
        new(JawWidth, "jaw_width", Shape, 0.60, 0.90, "width of the lower face relative to the cheeks (1 = no taper)"),
        new(Chin, "chin", Shape, 0.004, 0.014, "forward projection of the chin, world units"),
        new(Forehead, "forehead", Shape, 0.002, 0.010, "forward bulge of the forehead, world units"),
        new(Cheekbones, "cheekbones", Shape, 0.004, 0.012, "forward projection of the cheekbones, world units"),
        new(BrowRidge, "brow_ridge", Shape, 0.004, 0.012, "forward projection of the brow ridge, world units"),
        new(EyeSockets, "eye_sockets", Shape, 0.008, 0.016, "depth of the eye sockets, world units"),
        new(EyeSpacing, "eye_spacing", Shape, 0.30, 0.38, "horizontal distance of each eye from the midline, head-local units"),
        new(EyeSize, "eye_size", Shape, 0.12, 0.16, "half width of the eye opening, head-local units"),
        new(NoseLength, "nose_length", Shape, 0.28, 0.40, "vertical distance from the eye line to the nose tip, head-local units"),
        new(NoseWidth, "nose_width", Shape, 0.07, 0.11, "half width of the nose at its base, head-local units"),
        new(NoseProjection, "nose_projection", Shape, 0.018, 0.028, "forward projection of the nose ridge at the tip, world units"),
        new(NoseTip, "nose_tip", Shape, 0.001, 0.006, "extra bulb at the nose tip, world units"),
        new(Lips, "lips", Shape, 0.003, 0.008, "lip fullness (forward projection), world units"),
        new(MouthWidth, "mouth_width", Shape, 0.20, 0.28, "half width of the mouth, head-local units"),
        new(Asymmetry, "asymmetry", Shape, -0.08, 0.08, "sideways shift of the lower face (0 = exactly mirror-symmetric identity), head-local units at the chin"),

        new(SkinTone, "skin_tone", FaceParamGroup.Albedo, 0.0, 1.0, "skin colour from dark (0) through medium to light (1)"),
        new(SkinRedness, "skin_redness", FaceParamGroup.Albedo, 0.0, 1.0, "warmth of the skin and strength of the cheek blush"),
        new(LipColour, "lip_colour", FaceParamGroup.Albedo, 0.0, 1.0, "lip colour from skin-like (0) to red (1)"),
        new(IrisColour, "iris_colour", FaceParamGroup.Albedo, 0.0, 1.0, "iris palette position: dark brown, brown, hazel, green, blue, grey"),
        new(BrowThickness, "brow_thickness", FaceParamGroup.Albedo, 0.0, 1.0, "eyebrow thickness and darkness"),
        new(HairColour, "hair_colour", FaceParamGroup.Albedo, 0.0, 1.0, "hair palette position: black, dark brown, brown, auburn, blond, grey"),
        new(Hairline, "hairline", FaceParamGroup.Albedo, 0.0, 1.0, "hairline height: low (0) to receding (1)"),
        new(HairVolume, "hair_volume", FaceParamGroup.Albedo, 0.0, 1.0, "how far the hair stands out from the head (also in depth)"),
        new(HairLength, "hair_length", FaceParamGroup.Albedo, 0.0, 1.0, "short (0) to shoulder length (1), beside the neck"),
        new(FacialHair, "facial_hair", FaceParamGroup.Albedo, 0.0, 1.0, "beard and moustache density (0 = none; 70% of identities have none)"),
        new(Glasses, "glasses", FaceParamGroup.Albedo, 0.0, 1.0, "dark glasses-like frames (0 or 1; 15% of identities)"),

        new(Smile, "smile", Expression, 0.0, 1.0, "smile: raised mouth corners, wider mouth, raised cheeks, narrower eyes"),
        new(MouthOpen, "mouth_open", Expression, 0.0, 1.0, "mouth opening (0 for half of the images)"),
        new(BrowRaise, "brow_raise", Expression, 0.0, 1.0, "raised eyebrows and wider eyes (0 for a third of the images)"),

        new(BackgroundRed0, "background_red0", Background, 0.05, 0.95, "background colour at one end of the gradient: red"),
        new(BackgroundGreen0, "background_green0", Background, 0.05, 0.95, "background colour at one end of the gradient: green"),
        new(BackgroundBlue0, "background_blue0", Background, 0.05, 0.95, "background colour at one end of the gradient: blue"),
        new(BackgroundRed1, "background_red1", Background, 0.05, 0.95, "background colour at the other end of the gradient: red"),
        new(BackgroundGreen1, "background_green1", Background, 0.05, 0.95, "background colour at the other end of the gradient: green"),
        new(BackgroundBlue1, "background_blue1", Background, 0.05, 0.95, "background colour at the other end of the gradient: blue"),
        new(BackgroundAngle, "background_angle", Background, -Math.PI, Math.PI, "direction of the background gradient, radians"),
        new(BackgroundNoise, "background_noise", Background, 0.0, 0.12, "amplitude of the smooth background colour noise"),

        new(Pitch, "pitch", Pose, -20, 20, "rotation about x in degrees (positive: the nose moves down in the image)"),
        new(Yaw, "yaw", Pose, -45, 45, "rotation about y in degrees (positive: the nose moves left in the image)"),
        new(Roll, "roll", Pose, -10, 10, "rotation about z (the camera axis) in degrees"),
        new(TranslationX, "translation_x", Pose, -0.01, 0.01, "translation along x after rotation, world units (image half width at depth 1: 0.0875)"),
        new(TranslationY, "translation_y", Pose, -0.01, 0.01, "translation along y after rotation, world units"),
        new(TranslationZ, "translation_z", Pose, -0.005, 0.005, "translation along z after rotation, world units"),

        new(Ambient, "ambient", Light, 0.25, 0.50, "ambient shading term a (raw light[0] = 2a - 1)"),
        new(Diffuse, "diffuse", Light, 0.45, 0.80, "diffuse shading term b (raw light[1] = 2b - 1)"),
        new(LightX, "light_x", Light, -1.0, 1.0, "raw light direction x (positive: light from the image left)"),
        new(LightY, "light_y", Light, -1.0, 1.0, "raw light direction y (positive: light from the image top)"),
    };

    /// <summary>Number of parameters per image.</summary>
    public static int Count => All.Count;

    /// <summary>The parameter named <paramref name="name"/> (snake_case), or null.</summary>
    public static FaceParameter? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
