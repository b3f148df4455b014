using LiftedGan.Lifting;

namespace LiftedGan.Evaluation;

/// <summary>One run of the ablation study: its folder name, the paper's label and the loss terms it switches off.</summary>
public sealed record AblationVariant(string Name, string Label, string Removes, Func<LiftingConfig, LiftingConfig> Apply);

/// <summary>
/// LiftedGAN §5.3 / Table 2: the full model and four re-trainings, each without one loss (names as the reproduction
/// report: wo_flip, wo_perturb, wo_idt, wo_rega). All runs share the preset, the seed (network initialisation and every
/// step's latents) and the step count; only the removed weights differ. "w/o L_perturb" removes the whole Eq. 4:
/// both image terms (lam_perturb_im, parts (a) and (b)), the light/view cycle (lam_perturb_param) and the style prior
/// β (lam_reg_style), which the paper writes inside L_perturb^(a).
/// </summary>
public static class AblationStudy
{
    public static readonly IReadOnlyList<AblationVariant> Variants = new AblationVariant[]
    {
        new("full", "LiftedGAN (proposed)", "nothing", c => c),
        new("wo_flip", "LiftedGAN w/o L_flip", "lam_flip", c => c with { FlipWeight = 0 }),
        new("wo_perturb", "LiftedGAN w/o L_perturb", "lam_perturb_im, lam_perturb_param, lam_reg_style",
            c => c with { PerturbImageWeight = 0, PerturbParameterWeight = 0, StylePriorWeight = 0 }),
        new("wo_idt", "LiftedGAN w/o L_idt", "lam_identity_perturb", c => c with { IdentityWeight = 0 }),
        new("wo_rega", "LiftedGAN w/o L_regA", "lam_albedo_rank", c => c with { AlbedoRankWeight = 0 }),
    };

    /// <summary>
    /// Trains every variant into <paramref name="folder"/>/NAME with <see cref="LiftingRun"/> (a run that reached its
    /// step count is left as it is; an interrupted one resumes) and returns each run's newest checkpoint.
    /// <paramref name="settings"/> applies the user's schedule (steps, batch, seed) before the ablation.
    /// </summary>
    public static IReadOnlyList<(AblationVariant Variant, string Checkpoint)> Train(LiftingConfig preset, Func<LiftingConfig, LiftingConfig> settings,
        LiftingInputs inputs, string folder, int checkpointEvery, Action<string> log, Action<AblationVariant, LiftingProgress>? progress = null)
    {
        var result = new List<(AblationVariant, string)>();
        foreach (var v in Variants)
        {
            string dir = Path.Combine(folder, v.Name);
            LiftingConfig Configure(LiftingConfig c) => v.Apply(settings(c));
            using var trainer = LiftingRun.Open(Configure(preset), inputs with { OutDir = dir }, w => log($"{v.Name}: warning: {w}"), null, Configure);
            long total = (long)trainer.Config.Epochs * trainer.Config.StepsPerEpoch;
            if (trainer.GlobalStep >= total) log($"{v.Name}: finished ({trainer.GlobalStep} steps), not retrained");
            else
            {
                log($"{v.Name}: training steps {trainer.GlobalStep}..{total} without {v.Removes}");
                LiftingRun.Run(trainer, dir, checkpointEvery, p => progress?.Invoke(v, p));
            }
            result.Add((v, LiftingRun.LatestCheckpoint(dir) ?? throw new EvaluationException(dir, "no checkpoint after training")));
        }
        return result;
    }
}
