namespace LiftedGan.Synthetic;

/// <summary>Index of every named parameter of one synthetic face image (a row of the parameter matrix).</summary>
public enum FaceParam
{
    // identity: shape
    HeadWidth, HeadHeight, HeadDepth, JawWidth, Chin, Forehead, Cheekbones, BrowRidge, EyeSockets, EyeSpacing, EyeSize,
    NoseLength, NoseWidth, NoseProjection, NoseTip, Lips, MouthWidth, Asymmetry,
    // identity: albedo and hair
    SkinTone, SkinRedness, LipColour, IrisColour, BrowThickness, HairColour, Hairline, HairVolume, HairLength,
    FacialHair, Glasses,
    // expression
    Smile, MouthOpen, BrowRaise,
    // background
    BackgroundRed0, BackgroundGreen0, BackgroundBlue0, BackgroundRed1, BackgroundGreen1, BackgroundBlue1,
    BackgroundAngle, BackgroundNoise,
    // pose
    Pitch, Yaw, Roll, TranslationX, TranslationY, TranslationZ,
    // light
    Ambient, Diffuse, LightX, LightY,
}

/// <summary>What a parameter belongs to: drawn once per identity, or per image.</summary>
public enum FaceParamGroup { Shape, Albedo, Expression, Background, Pose, Light }

/// <summary>
/// One documented parameter: snake_case name (file columns), group, range [Min, Max] that every sample lies in, and
/// meaning. Lateral face lengths are in head-local units (1 = half the head width or height); depths in world units
/// of the renderer (the camera looks along +z, the face lies in 0.9..1.1).
/// </summary>
public sealed record FaceParameter(FaceParam Id, string Name, FaceParamGroup Group, double Min, double Max, string Description)
{
    /// <summary>True for parameters drawn once per identity (shape and albedo).</summary>
    public bool IsIdentity => Group is FaceParamGroup.Shape or FaceParamGroup.Albedo;
}
