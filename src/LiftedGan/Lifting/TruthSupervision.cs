using LiftedGan.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The <see cref="LiftingObjective.SupervisedTruth"/> objective: the lift's own networks fitted directly to the exact
/// truth of a world-fit teacher's samples (z ~ N(0, I), w = the teacher's mapping of z at truncation 1, truth =
/// <see cref="LatentFaces.Truth"/>(z)). Every term is an L1 in the networks' own output units, so the default weights
/// of 1 are comparable:
/// <list type="bullet">
/// <item><c>truth_depth</c>: canonical depth on the true canonical foreground, divided by half the depth range
/// ((MaxDepth − MinDepth) / 2, the tanh scale of the depth decoder).</item>
/// <item><c>truth_view</c>: the raw view (6 numbers, tanh range). The world's <see cref="FaceBatch.RawView"/> is its
/// view divided by the renderer's ranges (<see cref="FaceWorld.ToRawView"/>), the exact inverse of
/// <see cref="Rendering.ViewTransform.ScaleRawView"/> that the lift's renderer applies.</item>
/// <item><c>truth_light</c>: the raw light (4 numbers): the world parses its light with the same
/// <see cref="Rendering.Lighting.Parse"/> as the lift.</item>
/// <item><c>truth_albedo</c>: the de-lit canonical albedo on the true canonical foreground ([-1, 1]).</item>
/// <item><c>truth_transform</c>: the transformation map, over the whole image ([0, 1]).</item>
/// </list>
/// The truth is in the lift's parametrisation only when its geometry equals the world's renderer and the teacher can
/// carry the world map; <see cref="CheckTeacher"/> refuses anything else.
/// </summary>
public static class TruthSupervision
{
    /// <summary>
    /// Throws <see cref="LiftingSetupException"/> unless a teacher of <paramref name="styleDim"/> latents at the
    /// config's size can be a world-fit teacher, the config's camera and depth range are the world's, and some term has
    /// a weight above 0.
    /// </summary>
    public static void CheckTeacher(LiftingConfig config, int styleDim, string what = "teacher")
    {
        if (new[] { config.TruthDepthWeight, config.TruthViewWeight, config.TruthLightWeight, config.TruthAlbedoWeight, config.TruthTransformWeight }.All(w => !(w > 0)))
            throw new LiftingSetupException(config.Preset, "every lam_truth_* weight is 0: the supervised objective has nothing to fit");
        CheckWorld(config, styleDim, what, depthRange: true);
    }

    /// <summary>
    /// Throws <see cref="LiftingSetupException"/> unless a teacher of <paramref name="styleDim"/> latents at the config's
    /// size can be a world-fit teacher and the config's camera (field of view, rotation centre, border depth) is the
    /// world's; with <paramref name="depthRange"/> also its depth range (which bounds only what the depth decoder can
    /// output, not how a depth renders).
    /// </summary>
    public static void CheckWorld(LiftingConfig config, int styleDim, string what, bool depthRange)
    {
        if (styleDim < LatentFaces.MinimumDimension)
            throw new LiftingSetupException(what, $"latent size {styleDim} is below the world map's {LatentFaces.MinimumDimension}: " +
                "not a world-fit teacher, so its samples have no exact truth for the supervised-truth objective");
        if (!FaceModel.Sizes.Contains(config.ImageSize))
            throw new LiftingSetupException(what, $"{config.ImageSize} px: the face world renders at {string.Join(", ", FaceModel.Sizes)} px only, " +
                "so the supervised-truth objective has no truth at this size");
        var world = FaceWorld.Renderer(config.ImageSize).Options;
        if (config.FieldOfView != world.FieldOfViewDegrees || (depthRange && (config.MinDepth != world.MinDepth || config.MaxDepth != world.MaxDepth))
            || config.RotationCenterDepth != world.CenterDepth || config.BorderDepth != world.BorderDepth)
            throw new LiftingSetupException(what, $"preset {config.Preset}: its camera or depth range differs from the face world's " +
                $"(fov {world.FieldOfViewDegrees}°, depth {world.MinDepth}–{world.MaxDepth}, centre {world.CenterDepth}, border {world.BorderDepth}), " +
                "so the world's truth is not in the lift's parametrisation");
    }

    /// <summary>The world's exact truth for latents <paramref name="z"/> (B x D) at the config's size, on <paramref name="z"/>'s device.</summary>
    public static FaceBatch Truth(Tensor z, int size)
    {
        var truth = LatentFaces.Truth(z, size);
        if (z.device_type == DeviceType.CPU) return truth;
        try
        {
            return new FaceBatch
            {
                Images = truth.Images.to(z.device), CanonicalDepth = truth.CanonicalDepth.to(z.device), Albedo = truth.Albedo.to(z.device),
                Mask = truth.Mask.to(z.device), TransformMap = truth.TransformMap.to(z.device), RenderedDepth = truth.RenderedDepth.to(z.device),
                RenderedMask = truth.RenderedMask.to(z.device), Normals = truth.Normals.to(z.device), View = truth.View.to(z.device),
                RawView = truth.RawView.to(z.device), Light = truth.Light.to(z.device), Parameters = truth.Parameters.to(z.device),
                Identities = truth.Identities, Indices = truth.Indices,
            };
        }
        finally { truth.Dispose(); }
    }

    /// <summary>The weighted terms (names as in the class summary) of an estimate against its truth; a weight of 0 drops a term.</summary>
    public static IReadOnlyList<(string Name, Tensor Value)> Terms(LiftedEstimate estimate, FaceBatch truth, LiftingConfig c)
    {
        var terms = new List<(string, Tensor)>();
        using var scope = NewDisposeScope();
        var foreground = truth.Mask.gt(0.5).to(estimate.Depth.dtype).unsqueeze(1);
        if (c.TruthDepthWeight > 0)
        {
            var depth = LiftingLosses.MaskedL1(estimate.Depth.unsqueeze(1), truth.CanonicalDepth.unsqueeze(1), foreground);
            terms.Add(("truth_depth", (c.TruthDepthWeight / ((c.MaxDepth - c.MinDepth) / 2) * depth).MoveToOuterDisposeScope()));
        }
        if (c.TruthViewWeight > 0)
            terms.Add(("truth_view", (c.TruthViewWeight * LiftingLosses.MaskedL1(estimate.View, truth.RawView)).MoveToOuterDisposeScope()));
        if (c.TruthLightWeight > 0)
            terms.Add(("truth_light", (c.TruthLightWeight * LiftingLosses.MaskedL1(estimate.Light, truth.Light)).MoveToOuterDisposeScope()));
        if (c.TruthAlbedoWeight > 0)
            terms.Add(("truth_albedo", (c.TruthAlbedoWeight * LiftingLosses.MaskedL1(estimate.Albedo, truth.Albedo, foreground)).MoveToOuterDisposeScope()));
        if (c.TruthTransformWeight > 0)
            terms.Add(("truth_transform", (c.TruthTransformWeight * LiftingLosses.MaskedL1(estimate.TransformationMap, truth.TransformMap)).MoveToOuterDisposeScope()));
        return terms;
    }
}
