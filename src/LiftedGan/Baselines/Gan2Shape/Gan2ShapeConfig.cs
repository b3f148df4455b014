using System.Text.Json;
using LiftedGan.Baselines.Unsup3d;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// Everything that defines a GAN2Shape per-instance fit (spec related-systems §1): the network sizes, the ellipsoid
/// prior, the loss weights, the pseudo-sample distribution, the projection's mapping split and the stage schedule.
/// <see cref="Official"/> is the official per-image CelebA schedule (4 stages of 600/600/400 then 200/500/300
/// iterations, batch 16, 100 collect iterations, 1000 prior-fit steps) at this teacher's 64 px with the official 64 px
/// widths; <see cref="Cpu"/> is a reduced preset for a CPU (narrow networks, 2 short stages).
/// </summary>
public sealed record Gan2ShapeConfig
{
    /// <summary>Side S of the image and the canonical maps (a power of two, at least 16).</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Base channels of the depth, albedo, light and view networks (official nf = max(4096 / S, 16): 64 at 64 px).</summary>
    public long Channels { get; init; } = 64;

    /// <summary>Bottleneck of the depth and albedo encoder-decoders (official 256).</summary>
    public long Bottleneck { get; init; } = 256;

    /// <summary>First width of the latent encoder (official 32).</summary>
    public long LatentEncoderChannels { get; init; } = 32;

    /// <summary>Near and far depth of the ellipsoid prior (prior_near 0.91, prior_far 1.02) and its sphere radius R (0.4).</summary>
    public double PriorNear { get; init; } = 0.91;
    public double PriorFar { get; init; } = 1.02;
    public double PriorRadius { get; init; } = 0.4;

    /// <summary>Adam steps fitting the depth network to the ellipsoid before the first stage (official 1000).</summary>
    public int PriorSteps { get; init; } = 1000;

    /// <summary>λ_perc of the reconstruction terms (0.5), λ_smooth of the depth and shading smoothness (0.01).</summary>
    public double PerceptualWeight { get; init; } = 0.5;
    public double SmoothWeight { get; init; } = 0.01;

    /// <summary>λ_reg ("λ1", lam_regular): weight of mean(Δw²) on the W-space offset of a projection (0.01).</summary>
    public double OffsetWeight { get; init; } = 0.01;

    /// <summary>Weight of the feature term of the projection loss (officially the unweighted sum over discriminator blocks 1–4).</summary>
    public double ProjectionFeatureWeight { get; init; } = 1;

    /// <summary>
    /// F1_d: mapping layers of the offset path F1 beyond the split (2 for CelebA: F1 = the last 3 linear layers; the
    /// whole mapping when it equals the teacher's mapping layers, as synface's 8).
    /// </summary>
    public int MappingDepth { get; init; } = 2;

    /// <summary>relative_enc: the encoding of a pseudo sample is taken relative to the encoding of the original image.</summary>
    public bool RelativeEncoding { get; init; } = true;

    /// <summary>
    /// Mean and standard deviation of the raw pseudo-sample view (pitch, yaw, roll, tx, ty, tz in tanh units: ×60°,
    /// ×0.1, z unused). The official per-dataset view distribution file is not available; this diagonal normal is the
    /// documented substitute.
    /// </summary>
    public double[] ViewMean { get; init; } = [0, 0, 0, 0, 0, 0];
    public double[] ViewStd { get; init; } = [0.1, 0.25, 0.05, 0.1, 0.1, 0];

    /// <summary>view_scale: the yaw of a pseudo sample is multiplied by it (1.2 for faces).</summary>
    public double ViewScale { get; init; } = 1.2;

    /// <summary>rand_light [x_min, x_max, y_min, y_max, d_min, d_max, α] of the pseudo-sample lights (CelebA's).</summary>
    public double[] RandomLight { get; init; } = [-1, 1, -0.2, 0.8, -0.1, 0.6, -0.6];

    /// <summary>Stages (official 4 for CelebA).</summary>
    public int Stages { get; init; } = 4;

    /// <summary>Iterations of steps 1, 2 and 3 in the first stage (600/600/400) and in later stages (200/500/300).</summary>
    public int[] FirstStageIterations { get; init; } = [600, 600, 400];
    public int[] LaterStageIterations { get; init; } = [200, 500, 300];

    /// <summary>Pseudo or projected samples per iteration of steps 2 and 3 (16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>No-gradient projection passes after step 2 whose samples step 3 draws from (collect_iters 100).</summary>
    public int CollectIterations { get; init; } = 100;

    /// <summary>Whether step 1 and step 3 add the flipped-render terms, per stage (CelebA: flip1 never, flip3 in stage 1).</summary>
    public bool[] FlipStep1 { get; init; } = [false, false, false, false];
    public bool[] FlipStep3 { get; init; } = [true, false, false, false];

    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Seed of the networks' initialisation (the same for every image: weights are reset per image) and of each image's sampling.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The official per-image CelebA schedule at 64 px.</summary>
    public static Gan2ShapeConfig Official { get; } = new();

    /// <summary>
    /// The reduced CPU preset: widths 16 (latent encoder 16), bottleneck 64, 200 prior-fit steps, 2 stages of
    /// 60/30/40 then 20/20/30 iterations, batch 4, 6 collect iterations (24 projected samples), flip in step 3.
    /// </summary>
    public static Gan2ShapeConfig Cpu { get; } = new()
    {
        Channels = 16, Bottleneck = 64, LatentEncoderChannels = 16, PriorSteps = 200, LearningRate = 2e-4,
        Stages = 2, FirstStageIterations = [60, 30, 40], LaterStageIterations = [20, 20, 30],
        BatchSize = 4, CollectIterations = 6, FlipStep1 = [false, false], FlipStep3 = [true, true],
    };

    /// <summary>
    /// The official joint pre-training for faces (celeba_pretrain, §1.8) at 64 px: one set of networks on all images, 4
    /// stages of 1500/1500/1500 then 700/1000/1000 iterations, batch 8, 800 collect iterations, the prior fit once (1000
    /// steps), flip in step 1 from stage 2 on and in step 3 always.
    /// </summary>
    public static Gan2ShapeConfig OfficialJoint { get; } = new()
    {
        FirstStageIterations = [1500, 1500, 1500], LaterStageIterations = [700, 1000, 1000], BatchSize = 8, CollectIterations = 800,
        FlipStep1 = [false, true, true, true], FlipStep3 = [true, true, true, true],
    };

    /// <summary>
    /// The joint pre-training at <see cref="Cpu"/>'s network sizes and learning rate, its schedule the official joint
    /// one's shape at about a fifth of its iterations in 2 stages: 300/300/300 then 140/200/200, batch 4, 200 collect
    /// iterations (one pass per image for 200 images), 200 prior steps, flip1 in stage 2, flip3 in both.
    /// </summary>
    public static Gan2ShapeConfig CpuJoint { get; } = Cpu with
    {
        Stages = 2, FirstStageIterations = [300, 300, 300], LaterStageIterations = [140, 200, 200],
        CollectIterations = 200, FlipStep1 = [false, true], FlipStep3 = [true, true],
    };

    /// <summary>Iterations of step 1, 2, 3 in stage <paramref name="stage"/> (0-based).</summary>
    public (int Step1, int Step2, int Step3) Iterations(int stage)
    {
        var it = stage == 0 ? FirstStageIterations : LaterStageIterations;
        return (it[0], it[1], it[2]);
    }

    /// <summary>The Unsup3d networks, renderer and depth conventions this fit reuses (no confidence network).</summary>
    public Unsup3dConfig ModelConfig => Unsup3dConfig.Official with
    {
        ImageSize = ImageSize, Channels = Channels, EncoderChannels = Channels, Bottleneck = Bottleneck,
        UseConfidence = false, PerceptualWeight = PerceptualWeight, LearningRate = LearningRate, WeightDecay = WeightDecay,
        BatchSize = BatchSize, Seed = Seed,
    };

    /// <summary>A problem with the settings, named by parameter, or null when they can be used.</summary>
    public string? Problem()
    {
        if (ModelConfig.Problem() is { } model) return model;
        if (LatentEncoderChannels < 1) return $"latent encoder channels {LatentEncoderChannels}: must be at least 1";
        if (!(PriorNear > 0 && PriorFar > PriorNear && PriorRadius > PriorFar - PriorNear))
            return $"prior near {PriorNear}, far {PriorFar}, radius {PriorRadius}: need 0 < near < far and radius > far − near";
        if (PriorSteps < 0) return $"prior steps {PriorSteps}: must be ≥ 0";
        if (!(PerceptualWeight >= 0) || !(SmoothWeight >= 0) || !(OffsetWeight >= 0) || !(ProjectionFeatureWeight >= 0))
            return "loss weights must be finite and ≥ 0";
        if (MappingDepth < 0) return $"mapping depth {MappingDepth}: must be ≥ 0";
        if (ViewMean.Length != 6 || ViewStd.Length != 6 || ViewStd.Any(s => !(s >= 0)))
            return "view mean and view std: need 6 values each, the deviations ≥ 0";
        if (RandomLight.Length != 7 || RandomLight[0] > RandomLight[1] || RandomLight[2] > RandomLight[3] || RandomLight[4] > RandomLight[5])
            return "random light: need 7 values [x_min, x_max, y_min, y_max, d_min, d_max, α] with min ≤ max";
        if (Stages < 1) return $"stages {Stages}: must be at least 1";
        if (FirstStageIterations.Length != 3 || LaterStageIterations.Length != 3 || FirstStageIterations.Concat(LaterStageIterations).Any(i => i < 0))
            return "stage iterations: need 3 counts (steps 1, 2, 3) ≥ 0 for the first and for later stages";
        if (FlipStep1.Length != Stages || FlipStep3.Length != Stages) return $"flip flags: need one per stage ({Stages})";
        if (BatchSize < 1) return $"batch size {BatchSize}: must be at least 1";
        if (CollectIterations < 1) return $"collect iterations {CollectIterations}: must be at least 1";
        return null;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A GAN2Shape input or setting that cannot be used: names the parameter or file and the problem.</summary>
public sealed class Gan2ShapeException(string what, string problem) : LiftedGanException(what, problem);
