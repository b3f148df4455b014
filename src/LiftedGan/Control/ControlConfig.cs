using System.Text.Json.Serialization;
using LiftedGan.StyleGan2;

namespace LiftedGan.Control;

/// <summary>Which 3DMM-controlled generator.</summary>
public enum ControlMethod
{
    /// <summary>DiscoFaceGAN (Deng et al. 2020): the code itself is the generator's input; imitative and contrastive losses.</summary>
    Disco,
    /// <summary>Tax-free (Huang et al. 2023): renders of the code injected per layer; noise-only latent; consistency loss.</summary>
    TaxFree,
}

/// <summary>What the estimator-read terms (Tax-free's consistency, DiscoFaceGAN's imitative pose and light) compare the estimator's reading of the image with.</summary>
public enum ConsistencyTarget
{
    /// <summary>The code's own normals, angles and light (the paper's rep(p)).</summary>
    Code,
    /// <summary>
    /// The estimator's reading of the injected render: the image is asked to read as the render reads, so a generator
    /// that draws the render exactly scores 0 and gains nothing by drawing what the estimator misreads.
    /// </summary>
    Render,
}

/// <summary>Where DiscoFaceGAN's pixel loss compares the generator's image with the face model's render.</summary>
public enum PixelRegion
{
    /// <summary>The render's foreground only (the paper: a 3DMM render has only the face).</summary>
    Face,
    /// <summary>The whole image: the world's render of a code draws the background and hair too.</summary>
    Image,
}

/// <summary>Architecture and training settings of a control run (one record, stored in its checkpoints).</summary>
public sealed record ControlConfig
{
    public ControlMethod Method { get; init; } = ControlMethod.Disco;
    /// <summary>Image size: 32 or 64 (the face world and the estimator's sizes).</summary>
    public int Size { get; init; } = 64;
    /// <summary>Width of w.</summary>
    public int StyleDim { get; init; } = 128;
    /// <summary>Free noise dimensions of the code (DiscoFaceGAN z₅: 32; Tax-free's z: 64).</summary>
    public int NoiseDims { get; init; } = 16;
    /// <summary>Mapping layers from the code (DiscoFaceGAN) or the noise (Tax-free: 2) to w.</summary>
    public int MappingLayers { get; init; } = 2;
    /// <summary>Synthesis channels at every resolution.</summary>
    public int Channels { get; init; } = 64;
    /// <summary>Tax-free condition encoder width.</summary>
    public int EncoderWidth { get; init; } = 16;
    public int Batch { get; init; } = 8;
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Learning-rate multiplier of the mapping network (StyleGAN2's 0.01 for a GAN's noise input).</summary>
    public double MappingLrMultiplier { get; init; } = 0.01;
    /// <summary>Adam β₁ of both networks (StyleGAN2: 0).</summary>
    public double Beta1 { get; init; } = 0;
    /// <summary>R1 weight γ (both papers' D regularisation; lazily every <see cref="R1Every"/> steps).</summary>
    public double R1 { get; init; } = 1;
    public int R1Every { get; init; } = 16;

    /// <summary>DiscoFaceGAN imitative weights (§4.2; landmarks → pose angles, SH → light direction: see <see cref="ControlLosses"/>).</summary>
    public double IdentityWeight { get; init; } = 3;
    public double PoseWeight { get; init; } = 1;
    public double LightWeight { get; init; } = 10;
    public double ColourWeight { get; init; } = 20;
    /// <summary>DiscoFaceGAN's early pixel loss on the face region (used at ≤ 32 px in the paper; here at every size).</summary>
    public double PixelWeight { get; init; } = 20;
    /// <summary>
    /// Weight of the expression term (the expression part of the paper's landmark loss, 0 = off): for codes that differ
    /// only in expression, the change between the two images must be the change between their renders
    /// (<see cref="ControlLosses.ExpressionDifference"/>); applied in the render warm start too (there at expression /
    /// pixel weight beside the unit pixel term). The whole-image pixel term alone leaves expression out: its cues are a
    /// few pixels of the mouth and brows, and a generator that draws one mean mouth for every code fits them nearly as well.
    /// </summary>
    public double ExpressionWeight { get; init; } = 0;
    /// <summary>
    /// Weight of the balanced expression term (0 = off; <see cref="ControlLosses.ExpressionBalanced"/>): each sample's
    /// pair redraws one expression parameter (smile, mouth opening or brow raise in turn), and each parameter's squared
    /// residual is divided by its renders' own squared change, so a small cue (the smile: a fifth of the mouth's pixel
    /// change) counts as much as a large one and a code-ignoring generator scores 1. Applied where
    /// <see cref="ExpressionWeight"/> is (the warm start at this / pixel weight), beside or instead of it.
    /// </summary>
    public double ExpressionBalancedWeight { get; init; } = 0;
    /// <summary>Where the pixel loss compares (the paper: the face region).</summary>
    public PixelRegion PixelRegion { get; init; } = PixelRegion.Face;
    /// <summary>
    /// Steps of the render warm start: the generator is fitted to the face model's render of its codes by the pixel
    /// term alone (over <see cref="PixelRegion"/>; and the expression term when <see cref="ExpressionWeight"/> is above 0), with no discriminator, estimator or contrastive terms; after it the
    /// method's whole objective (0: none, as both papers).
    /// </summary>
    public long RenderWarmupSteps { get; init; } = 0;
    /// <summary>Contrastive weights (§4.3): expression, illumination (mask + pose), illumination (identity).</summary>
    public double ExpressionContrastWeight { get; init; } = 10;
    public double LightContrastWeight { get; init; } = 10;
    public double LightIdentityWeight { get; init; } = 20;
    /// <summary>Step from which the contrastive losses are added (DiscoFaceGAN: after 15 M of 20 M real images).</summary>
    public long ContrastFrom { get; init; } = 0;
    /// <summary>
    /// Steps over which the estimator-driven imitative terms (pose, light) and the contrastive terms grow linearly from
    /// 0 to their weights, counted from the end of the render warm start (0: full weight at once, as both papers).
    /// </summary>
    public long EstimatorRampSteps { get; init; } = 0;

    /// <summary>Tax-free consistency weight λ (20) and the blending schedule: α grows 0 → 1 over this many steps.</summary>
    public double ConsistencyWeight { get; init; } = 20;
    public long BlendSteps { get; init; } = 1000;

    /// <summary>
    /// Tax-free only, after the warm start: weight of the L1 between the image and the injected render over
    /// <see cref="PixelRegion"/> (0, the paper). The paper's consistency re-renders the estimator's full face-model fit,
    /// expression and albedo included; ours compares normals, angles and light only, so this term stands in for the
    /// expression and colour the render carries.
    /// </summary>
    public double RenderFidelityWeight { get; init; } = 0;

    /// <summary>What the estimator-read terms compare the image's reading with: Tax-free's consistency term, DiscoFaceGAN's imitative pose and light terms (the papers: <see cref="ConsistencyTarget.Code"/>).</summary>
    public ConsistencyTarget ConsistencyTarget { get; init; } = ConsistencyTarget.Code;

    /// <summary>Seed of initialisation and of every step's draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// This config with the objective of <paramref name="other"/> (every loss weight, the warm start, the contrastive
    /// start, the ramp, the blending schedule) and its learning rate: a resumed run may change its objective and step
    /// size (the Adam moments carry over), not its networks, data or betas.
    /// </summary>
    public ControlConfig WithObjectiveOf(ControlConfig other) => this with
    {
        LearningRate = other.LearningRate,
        IdentityWeight = other.IdentityWeight, PoseWeight = other.PoseWeight, LightWeight = other.LightWeight, ColourWeight = other.ColourWeight,
        PixelWeight = other.PixelWeight, ExpressionWeight = other.ExpressionWeight, ExpressionBalancedWeight = other.ExpressionBalancedWeight, PixelRegion = other.PixelRegion, RenderWarmupSteps = other.RenderWarmupSteps,
        ExpressionContrastWeight = other.ExpressionContrastWeight, LightContrastWeight = other.LightContrastWeight,
        LightIdentityWeight = other.LightIdentityWeight, ContrastFrom = other.ContrastFrom, EstimatorRampSteps = other.EstimatorRampSteps,
        ConsistencyWeight = other.ConsistencyWeight, BlendSteps = other.BlendSteps, RenderFidelityWeight = other.RenderFidelityWeight,
        ConsistencyTarget = other.ConsistencyTarget,
    };

    /// <summary>The weight of the objective setting <paramref name="name"/> (by name) set to <paramref name="value"/>.</summary>
    public ControlConfig WithWeight(string name, double value) => name switch
    {
        "identity" => this with { IdentityWeight = value },
        "pose" => this with { PoseWeight = value },
        "light" => this with { LightWeight = value },
        "colour" => this with { ColourWeight = value },
        "pixel" => this with { PixelWeight = value },
        "expression" => this with { ExpressionWeight = value },
        "expression_balanced" => this with { ExpressionBalancedWeight = value },
        "expression_contrast" => this with { ExpressionContrastWeight = value },
        "light_contrast" => this with { LightContrastWeight = value },
        "light_identity" => this with { LightIdentityWeight = value },
        "consistency" => this with { ConsistencyWeight = value },
        "render" => this with { RenderFidelityWeight = value },
        _ => throw new ArgumentException($"{name}: expected one of {string.Join(", ", WeightNames)}"),
    };

    /// <summary>Names <see cref="WithWeight"/> accepts.</summary>
    public static IReadOnlyList<string> WeightNames { get; } =
        ["identity", "pose", "light", "colour", "pixel", "expression", "expression_balanced", "expression_contrast", "light_contrast", "light_identity", "consistency", "render"];

    /// <summary>The ramp factor in [0, 1] of the estimator-driven and contrastive terms at <paramref name="step"/> (1-based).</summary>
    public double EstimatorRamp(long step) =>
        EstimatorRampSteps <= 0 ? 1 : Math.Clamp((step - RenderWarmupSteps) / (double)EstimatorRampSteps, 0, 1);

    /// <summary>The StyleGAN2 synthesis configuration (its own mapping network is left unused: see <see cref="ControlGenerator"/>).</summary>
    [JsonIgnore]
    public GeneratorConfig Generator => new()
    {
        Size = Size, StyleDim = StyleDim, MappingLayers = 1,
        Channels = Enumerable.Range(2, (int)Math.Log2(Size) - 1).ToDictionary(k => 1 << k, _ => Channels),
    };

    /// <summary>Code width: 52 parameter dimensions plus the noise.</summary>
    [JsonIgnore]
    public int CodeDims => ControlCode.ParameterDimensions + NoiseDims;

    /// <summary>Throws a <see cref="ControlException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Size is not (32 or 64)) throw new ControlException("size", $"{Size}: 32 or 64 (the face world's and the estimator's sizes)");
        if (StyleDim < 8 || NoiseDims < 1 || MappingLayers < 1 || Channels < 4 || EncoderWidth < 4)
            throw new ControlException("architecture", "style dim ≥ 8, noise dims ≥ 1, mapping layers ≥ 1, channels ≥ 4 and encoder width ≥ 4 are needed");
        if (Batch < 2) throw new ControlException("batch", $"{Batch}: at least 2");
        if (!(LearningRate > 0) || R1 < 0 || R1Every < 1 || BlendSteps < 0 || ContrastFrom < 0 || RenderWarmupSteps < 0 || !(MappingLrMultiplier > 0) || Beta1 is < 0 or >= 1)
            throw new ControlException("training", "learning rate > 0, mapping multiplier > 0, β₁ in [0, 1), R1 ≥ 0, R1 interval ≥ 1, and blend steps, contrast start and render warm-up ≥ 0 are needed");
        if (ExpressionWeight < 0 || (ExpressionWeight > 0 && !(PixelWeight > 0)))
            throw new ControlException("expression", $"weight {ExpressionWeight}: must be ≥ 0, and the pixel weight > 0 beside it (the warm start weighs it by expression / pixel)");
        if (ExpressionBalancedWeight < 0 || (ExpressionBalancedWeight > 0 && !(PixelWeight > 0)))
            throw new ControlException("expression_balanced", $"weight {ExpressionBalancedWeight}: must be ≥ 0, and the pixel weight > 0 beside it (the warm start weighs it by expression_balanced / pixel)");
    }
}
