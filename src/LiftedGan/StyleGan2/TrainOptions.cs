namespace LiftedGan.StyleGan2;

/// <summary>
/// StyleGAN2 training settings (rosinality train.py defaults unless said): non-saturating logistic loss, lazy R1
/// every <see cref="DRegEvery"/> D steps, lazy path-length regularisation every <see cref="GRegEvery"/> G steps on
/// batch / <see cref="PathBatchShrink"/>, style mixing with probability <see cref="Mixing"/>, EMA generator.
/// </summary>
public sealed record TrainOptions
{
    public GeneratorConfig Generator { get; init; } = GeneratorConfig.Paper;
    public DiscriminatorConfig Discriminator { get; init; } = new();
    public int Batch { get; init; } = 16;
    public double Lr { get; init; } = 0.002;
    /// <summary>Adam β1 of both networks (official: 0).</summary>
    public double Beta1 { get; init; }
    public double R1 { get; init; } = 10;
    public int DRegEvery { get; init; } = 16;
    public double PathRegularize { get; init; } = 2;
    public int GRegEvery { get; init; } = 4;
    public int PathBatchShrink { get; init; } = 2;
    public double PathDecay { get; init; } = 0.01;
    public double Mixing { get; init; } = 0.9;

    /// <summary>EMA decay of g_ema per step; the official 0.5^(32/10000) ≈ 0.99778 by default.</summary>
    public double EmaDecay { get; init; } = Math.Pow(0.5, 32.0 / 10000);

    /// <summary>Apply <see cref="DiffAugment"/> (policy color,translation,cutout) to every discriminator input.</summary>
    public bool Augment { get; init; }

    /// <summary>What the generator learns: the adversarial game on the data (official), or the world-fit regression.</summary>
    public TrainObjective Objective { get; init; } = TrainObjective.Adversarial;

    /// <summary>Seed of the whole run: initial weights and every step's randomness derive from it.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Throws <see cref="StyleGanException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Generator.Validate();
        if (Discriminator.Size != Generator.Size)
            throw new StyleGanException($"discriminator size {Discriminator.Size}: must equal the generator size {Generator.Size}");
        if (Batch < 1) throw new StyleGanException($"batch {Batch}: must be at least 1");
        if (Lr <= 0) throw new StyleGanException($"lr {Lr}: must be positive");
        if (Beta1 < 0 || Beta1 >= 1) throw new StyleGanException($"beta1 {Beta1}: must be in [0, 1)");
        if (DRegEvery < 1 || GRegEvery < 1 || PathBatchShrink < 1)
            throw new StyleGanException("d_reg_every, g_reg_every and path_batch_shrink must be at least 1");
        if (Mixing < 0 || Mixing > 1) throw new StyleGanException($"mixing {Mixing}: must be in [0, 1]");
        if (EmaDecay < 0 || EmaDecay >= 1) throw new StyleGanException($"ema decay {EmaDecay}: must be in [0, 1)");
        if (Objective == TrainObjective.WorldFit)
        {
            if (Generator.StyleDim < Synthetic.LatentFaces.MinimumDimension)
                throw new StyleGanException($"style dim {Generator.StyleDim}: the world-fit objective needs at least {Synthetic.LatentFaces.MinimumDimension} latent dimensions");
            if (!Synthetic.FaceModel.Sizes.Contains(Generator.Size))
                throw new StyleGanException($"size {Generator.Size}: the world-fit objective renders the face world at {string.Join(", ", Synthetic.FaceModel.Sizes)} px only");
        }
    }
}

/// <summary>The generator's training objective.</summary>
public enum TrainObjective
{
    /// <summary>StyleGAN2's non-saturating logistic game against the discriminator on the data source (official).</summary>
    Adversarial,

    /// <summary>
    /// Regression onto the procedural world: each latent z is rendered by the world as
    /// <see cref="Synthetic.LatentFaces"/> maps it, and the generator learns G(z) ≈ render(map(z)) (L1 at full, half and
    /// quarter resolution; no discriminator, no mixing, no path-length term). Samples at truncation 1 then have exact
    /// 3D truth.
    /// </summary>
    WorldFit,
}
