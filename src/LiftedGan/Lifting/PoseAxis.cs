namespace LiftedGan.Lifting;

/// <summary>The axis of a pose sweep: yaw (-45°..45° step 3) or pitch (-15°..15° step 1), as the official generate_poses.</summary>
public enum PoseAxis
{
    Yaw,
    Pitch,
}
