namespace LiftedGan.Packing;

/// <summary>The kinds of training checkpoints <see cref="ModelPacker"/> turns into compact inference files.</summary>
public enum PackedModelKind
{
    /// <summary>A StyleGAN2 training checkpoint (rosinality layout: g_ema, g, d, optimisers, args).</summary>
    StyleGan,

    /// <summary>A LiftedGAN checkpoint (official layout: netD, netT, netSD, netSC, optimizer, global_step, epoch).</summary>
    Lift,

    /// <summary>The procedural-world identity embedding of `liftedgan identity train`.</summary>
    Identity,

    /// <summary>The pseudo-ground-truth pose-and-depth estimator of `liftedgan eval train-estimator`.</summary>
    Estimator,

    /// <summary>An Unsup3d checkpoint of `liftedgan unsup3d train` (netD, netA, netL, netV, netC, its config, Adam's state).</summary>
    Unsup3d,

    /// <summary>A GAN2Shape joint pre-training of `liftedgan gan2shape pretrain` (netD, netA, netL, netV, netE, its config and progress).</summary>
    Gan2Shape,
    /// <summary>The expression estimator of `liftedgan eval train-expression`.</summary>
    ExpressionEstimator,

    /// <summary>A control generator of `liftedgan control train` (DiscoFaceGAN or Tax-free: its generator, config and step; the discriminator and optimisers are left out).</summary>
    Control,
}
