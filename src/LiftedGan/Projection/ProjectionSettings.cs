namespace LiftedGan.Projection;

/// <summary>What the projection optimises: one style w for every layer, or one per layer (W+).</summary>
public enum LatentSpace
{
    /// <summary>One w (1 × D per image), broadcast to every layer: the space the lift works in.</summary>
    W,

    /// <summary>
    /// One w per layer (L × D per image), all starting at the mean style, with a penalty on their spread around
    /// their own layer mean. The lift's networks take a single w: they get the layer mean.
    /// </summary>
    WPlus,
}

/// <summary>The pixel term of the projection loss.</summary>
public enum PixelDistance { L1, Mse }

/// <summary>
/// Settings of <see cref="StyleProjector"/>: StyleGAN2's projector (Karras et al. 2020, appendix D; the paper's
/// Fig. 10 route) with the teacher's stored noise held fixed. Defaults are the official ones where they exist:
/// Adam (β 0.9, 0.999) at learning rate 0.1, ramped up over the first 5 % of the steps and down (cosine) over the last
/// 25 %; Gaussian noise on w of standard deviation σ_w · 0.05 · max(0, 1 − t / 0.75)² (σ_w the spread of mapped
/// latents around their mean), so it fades out by three quarters of the way; the start is the mean style w_avg of
/// <see cref="MeanSamples"/> mapped latents.
/// </summary>
public sealed record ProjectionSettings
{
    /// <summary>Optimisation steps.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>W or W+.</summary>
    public LatentSpace Space { get; init; } = LatentSpace.W;

    /// <summary>Peak learning rate of Adam.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Weight of the pixel term beside the perceptual distance (weight 1).</summary>
    public double PixelWeight { get; init; } = 1;

    /// <summary>The pixel term: mean absolute (L1) or mean squared difference, images in [−1, 1].</summary>
    public PixelDistance Pixel { get; init; } = PixelDistance.L1;

    /// <summary>Noise on w at the start, as a fraction of σ_w (official 0.05).</summary>
    public double InitialNoise { get; init; } = 0.05;

    /// <summary>Fraction of the steps over which the noise fades to zero (official 0.75).</summary>
    public double NoiseRamp { get; init; } = 0.75;

    /// <summary>Fraction of the steps over which the learning rate ramps up (official 0.05).</summary>
    public double RampUp { get; init; } = 0.05;

    /// <summary>Fraction of the steps over which the learning rate ramps down (official 0.25).</summary>
    public double RampDown { get; init; } = 0.25;

    /// <summary>Mapped latents averaged for w_avg and σ_w (official 10,000).</summary>
    public int MeanSamples { get; init; } = 10_000;

    /// <summary>
    /// W+ only: weight of the layers' spread around their own mean, mean over layers and dimensions of
    /// (w_l − w̄)² / σ_w² — it keeps the layer mean w̄ (what the lift gets) close to what reconstructs the photo.
    /// </summary>
    public double LayerSpreadWeight { get; init; } = 0.1;

    /// <summary>Seed of the latents averaged for w_avg and of the noise on w.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ProjectionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps < 1 || Steps > 100_000) throw new ProjectionException("steps", $"{Steps}: must be in 1..100000");
        Finite("learning rate", LearningRate, 0, 10, exclusiveLow: true);
        Finite("pixel weight", PixelWeight, 0, 1e6);
        Finite("initial noise", InitialNoise, 0, 10);
        Finite("noise ramp", NoiseRamp, 0, 1, exclusiveLow: true);
        Finite("ramp up", RampUp, 0, 1);
        Finite("ramp down", RampDown, 0, 1);
        Finite("layer spread weight", LayerSpreadWeight, 0, 1e6);
        if (MeanSamples < 2 || MeanSamples > 1_000_000) throw new ProjectionException("mean samples", $"{MeanSamples}: must be in 2..1000000");
    }

    static void Finite(string name, double value, double low, double high, bool exclusiveLow = false)
    {
        if (!double.IsFinite(value) || value < low || value > high || (exclusiveLow && value == low))
            throw new ProjectionException(name, $"{value}: must be in {(exclusiveLow ? "(" : "[")}{low}, {high}]");
    }

    /// <summary>Learning-rate factor at step fraction <paramref name="t"/> ∈ [0, 1): the official ramp up and cosine ramp down.</summary>
    public double LearningRateRamp(double t)
    {
        double down = RampDown > 0 ? Math.Min(1, (1 - t) / RampDown) : 1;
        double ramp = 0.5 - 0.5 * Math.Cos(down * Math.PI);
        return ramp * (RampUp > 0 ? Math.Min(1, t / RampUp) : 1);
    }

    /// <summary>Noise on w at step fraction <paramref name="t"/>, as a multiple of σ_w.</summary>
    public double NoiseScale(double t) => InitialNoise * Math.Pow(Math.Max(0, 1 - t / NoiseRamp), 2);
}
