using System.CommandLine;
using System.Globalization;
using LiftedGan.Lifting;
using Spectre.Console;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan lift`: trains LiftedGAN on a StyleGAN2 teacher.</summary>
internal static class LiftCommand
{
    /// <summary>Loss weights and schedule values `--set` accepts, by their official config names.</summary>
    static readonly Dictionary<string, Func<LiftingConfig, double, LiftingConfig>> Settable = new()
    {
        ["lam_rec"] = (c, v) => c with { ReconstructionWeight = v },
        ["lam_perc"] = (c, v) => c with { PerceptualWeight = v },
        ["lam_flip"] = (c, v) => c with { FlipWeight = v },
        ["lam_perturb_im"] = (c, v) => c with { PerturbImageWeight = v },
        ["lam_perturb_param"] = (c, v) => c with { PerturbParameterWeight = v },
        ["lam_identity_perturb"] = (c, v) => c with { IdentityWeight = v },
        ["lam_reg_style"] = (c, v) => c with { StylePriorWeight = v },
        ["lam_albedo_rank"] = (c, v) => c with { AlbedoRankWeight = v },
        ["lam_depth_smooth"] = (c, v) => c with { DepthSmoothnessWeight = v },
        ["composer_warmup_steps"] = (c, v) => c with { ComposerWarmupSteps = v >= 0 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set composer_warmup_steps={v}: must be a whole number ≥ 0") },
        ["lam_truth_depth"] = (c, v) => c with { TruthDepthWeight = v },
        ["lam_truth_view"] = (c, v) => c with { TruthViewWeight = v },
        ["lam_truth_light"] = (c, v) => c with { TruthLightWeight = v },
        ["lam_truth_albedo"] = (c, v) => c with { TruthAlbedoWeight = v },
        ["lam_truth_transform"] = (c, v) => c with { TruthTransformWeight = v },
        ["truncation"] = (c, v) => c with { Truncation = v },
        ["learning_rate"] = (c, v) => c with { LearningRate = v },
        ["weight_decay"] = (c, v) => c with { WeightDecay = v },
        ["depth_source_style"] = (c, v) => c with { DepthFromSourceStyle = Switch("depth_source_style", v) },
        ["composer_warmup_views"] = (c, v) => c with { ComposerWarmupViews = Switch("composer_warmup_views", v) },
        ["perturb_shift"] = (c, v) => c with { PerturbShift = v },
        ["perturb_roll"] = (c, v) => c with { PerturbRoll = v >= 0 && v <= 60 ? v : throw new UsageException($"--set perturb_roll={v}: must lie in [0, 60] degrees") },
        ["trans_bias"] = (c, v) => c with { TransformationBias = v },
        ["perturb_trains_decomposer"] = (c, v) => c with { PerturbTrainsDecomposer = Switch("perturb_trains_decomposer", v) },
        ["min_diffuse"] = (c, v) => c with { MinDiffuse = v >= 0 && v < 1 ? v : throw new UsageException($"--set min_diffuse={v}: must lie in [0, 1)") },
        ["lam_style_cycle"] = (c, v) => c with { StyleCycleWeight = v },
        ["lam_style_proximity"] = (c, v) => c with { StyleProximityWeight = v },
        ["lam_source_identity"] = (c, v) => c with { SourceIdentityWeight = v },
        ["lam_mirror"] = (c, v) => c with { MirrorWeight = v },
        ["composer_residual"] = (c, v) => c with { ResidualComposer = Switch("composer_residual", v) },
        ["composer_latent"] = (c, v) => c with { ComposerInLatent = Switch("composer_latent", v) },
        ["lam_canonical_symmetry"] = (c, v) => c with { CanonicalSymmetryWeight = v },
        ["lam_canonical_frontal"] = (c, v) => c with { CanonicalFrontalWeight = v >= 0 ? v : throw new UsageException($"--set lam_canonical_frontal={v}: must be ≥ 0") },
        ["lam_canonical_invariance"] = (c, v) => c with { CanonicalInvarianceWeight = v >= 0 ? v : throw new UsageException($"--set lam_canonical_invariance={v}: must be ≥ 0") },
        ["lam_canonical_roundtrip"] = (c, v) => c with { CanonicalRoundTripWeight = v >= 0 ? v : throw new UsageException($"--set lam_canonical_roundtrip={v}: must be ≥ 0") },
        ["cycle_pitch_weight"] = (c, v) => c with { CyclePitchWeight = v >= 0 ? v : throw new UsageException($"--set cycle_pitch_weight={v}: must be ≥ 0") },
        ["cycle_roll_weight"] = (c, v) => c with { CycleRollWeight = v >= 0 ? v : throw new UsageException($"--set cycle_roll_weight={v}: must be ≥ 0") },
        ["min_depth"] = (c, v) => c with { MinDepth = v },
        ["max_depth"] = (c, v) => c with { MaxDepth = v },
        ["border_depth"] = (c, v) => c with { BorderDepth = v },
        ["view_from_image"] = (c, v) => c with { ViewFromImage = Switch("view_from_image", v) },
        ["view_warmup_steps"] = (c, v) => c with { ViewWarmupSteps = v >= 0 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set view_warmup_steps={v}: must be a whole number ≥ 0") },
        ["perceptual_scales"] = (c, v) => c with { PerceptualScales = v >= 1 && v <= 5 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set perceptual_scales={v}: must be a whole number in 1..5") },
        ["perceptual_depth"] = (c, v) => c with { PerceptualDepth = v is 1 or 2 or 3 ? (int)v : throw new UsageException($"--set perceptual_depth={v}: must be 1, 2 or 3 (deepest slice relu2_2, relu3_3, relu4_3)") },
        ["residual_warmup_steps"] = (c, v) => c with { ResidualWarmupSteps = v >= 0 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set residual_warmup_steps={v}: must be a whole number ≥ 0") },
        ["residual_warmup_linear"] = (c, v) => c with { ResidualWarmupLinear = Switch("residual_warmup_linear", v) },
        ["composer_edit"] = (c, v) => c with { ComposerEdit = Switch("composer_edit", v) },
        ["composer_edit_translation"] = (c, v) => c with { ComposerEditTranslation = Switch("composer_edit_translation", v) },
        ["composer_edit_every"] = (c, v) => c with { ComposerEditEvery = v >= 1 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set composer_edit_every={v}: must be a whole number ≥ 1") },
        ["lam_view_equivariance"] = (c, v) => c with { ViewEquivarianceWeight = v >= 0 ? v : throw new UsageException($"--set lam_view_equivariance={v}: must be ≥ 0") },
        ["view_equivariance_roll"] = (c, v) => c with { ViewEquivarianceRoll = v >= 0 && v <= 45 ? v : throw new UsageException($"--set view_equivariance_roll={v}: must lie in [0, 45] degrees") },
        ["lam_view_render_cycle"] = (c, v) => c with { ViewRenderCycleWeight = v >= 0 ? v : throw new UsageException($"--set lam_view_render_cycle={v}: must be ≥ 0") },
        ["view_render_cycle_only"] = (c, v) => c with { ViewRenderCycleOnly = Switch("view_render_cycle_only", v) },
        ["view_render_cycle_pitch"] = (c, v) => c with { ViewRenderCyclePitch = v >= 0 && v <= 60 ? v : throw new UsageException($"--set view_render_cycle_pitch={v}: must lie in [0, 60] degrees") },
        ["view_render_cycle_repeat"] = (c, v) => c with { ViewRenderCycleRepeat = v >= 1 && v <= 64 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set view_render_cycle_repeat={v}: must be a whole number in [1, 64]") },
        ["view_render_cycle_roll"] = (c, v) => c with { ViewRenderCycleRoll = v >= 0 && v <= 60 ? v : throw new UsageException($"--set view_render_cycle_roll={v}: must lie in [0, 60] degrees") },
        ["view_roll_encoder"] = (c, v) => c with { ViewRollEncoder = Switch("view_roll_encoder", v) },
        ["view_input_disc"] = (c, v) => c with { ViewInputDisc = Switch("view_input_disc", v) },
        ["view_hold_until"] = (c, v) => c with { ViewHoldUntilStep = v >= 0 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set view_hold_until={v}: must be a whole number ≥ 0") },
        ["light_warmup_steps"] = (c, v) => c with { LightWarmupSteps = v >= 0 && v == Math.Floor(v) ? (int)v : throw new UsageException($"--set light_warmup_steps={v}: must be a whole number ≥ 0") },
    };

    static bool Switch(string name, double v) => v == 0 ? false : v == 1 ? true : throw new UsageException($"--set {name}={v}: must be 0 or 1");

    public static Command Create()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "StyleGAN2 checkpoint (rosinality layout; only g_ema is read).", Required = true };
        var preset = new Option<string>("--preset") { Description = "synth_64 (default), ffhq_256 or cats_256.", DefaultValueFactory = _ => "synth_64" };
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for the perceptual loss (else a documented substitute)." };
        var face = new Option<string?>("--face-embedding") { Description = "Face embedding for the identity loss (official lresnet_casia.pth.tar)." };
        var output = new Option<string>("--out") { Description = "Run folder; an existing run resumes from its newest checkpoint.", Required = true };
        var resume = new Option<string?>("--resume") { Description = "Checkpoint to resume from (default: the run's newest)." };
        var epochs = new Option<int?>("--epochs") { Description = "Number of epochs (preset default)." };
        var epochSize = new Option<int?>("--epoch-size") { Description = "Steps per epoch (preset default)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size (preset default 8)." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (initialisation, w statistics, every step's sampling)." };
        var ckptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints within an epoch.", DefaultValueFactory = _ => 500 };
        var objective = new Option<string?>("--objective")
        {
            Description = "unsupervised (default: the paper's LiftedGAN losses) or supervised-truth: the same networks, sizes and inputs " +
                          "(the teacher's w at truncation 1) fitted by L1 to the exact truth of a world-fit teacher's samples (canonical depth " +
                          "and albedo on the true foreground, raw view, raw light, transformation map; weights lam_truth_*), the supervised " +
                          "reference of eval truth --supervised. A resumed run keeps its objective.",
        };
        var truthEvery = new Option<int?>("--truth-every")
        {
            Description = "Steps between exact-truth measurements of the lift (eval truth's angles, SIDE, MAD, canonical correlation and " +
                          "distinctiveness on --n-truth teacher samples of seed 1, and the canonical images' L1 to the teacher's frontal images), logged to RUN/probe.csv and TensorBoard truth/*. " +
                          "Default 250 for a world-fit teacher, off otherwise; 0 switches it off.",
        };
        var truthSamples = new Option<int>("--n-truth") { Description = "Samples per exact-truth measurement.", DefaultValueFactory = _ => 64 };
        var set = new Option<string[]>("--set") { Description = "Override a weight, e.g. --set lam_flip=0 (names: " + string.Join(", ", Settable.Keys) + ").", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("lift", "Lift a StyleGAN2 into a 3D generator (LiftedGAN training; official checkpoint layout, exact resume). " +
                                      "With --objective supervised-truth the same networks learn from a world-fit teacher's exact truth instead.")
        {
            stylegan, preset, objective, vgg, face, output, resume, epochs, epochSize, batch, seed, ckptEvery, truthEvery, truthSamples, set,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var config = LiftingConfig.FromPreset(parse.GetValue(preset)!);
            LiftingConfig Overrides(LiftingConfig c)
            {
                if (parse.GetValue(epochs) is int e) c = c with { Epochs = Positive(e, "--epochs") };
                if (parse.GetValue(epochSize) is int es) c = c with { StepsPerEpoch = Positive(es, "--epoch-size") };
                if (parse.GetValue(batch) is int b) c = c with { BatchSize = Positive(b, "--batch") };
                if (parse.GetValue(seed) is long s) c = c with { Seed = s };
                if (parse.GetValue(objective) is string o)
                    c = c with
                    {
                        Objective = LiftingObjectives.FromName(o)
                            ?? throw new UsageException($"--objective {o}: expected {string.Join(" or ", LiftingObjectives.All.Select(x => x.Name))}"),
                    };
                foreach (var item in parse.GetValue(set) ?? Array.Empty<string>()) c = Apply(c, item);
                return c;
            }
            config = Overrides(config);
            int every = parse.GetValue(ckptEvery);
            if (every < 0) throw new UsageException($"--ckpt-every {every}: must be 0 or more");

            string outDir = parse.GetValue(output)!;
            string teacherPath = parse.GetValue(stylegan)!;
            bool worldFit = File.Exists(teacherPath) && StyleGan2.StyleGanCheckpoint.ReadObjective(teacherPath) == StyleGan2.TrainObjective.WorldFit;
            int probeEvery = parse.GetValue(truthEvery) ?? (worldFit ? 250 : 0);
            if (probeEvery < 0) throw new UsageException($"--truth-every {probeEvery}: must be 0 or more");
            if (probeEvery > 0 && !worldFit)
                throw new UsageException($"--truth-every {probeEvery}: {teacherPath} is not a world-fit teacher, its samples have no exact truth");
            int probeSamples = Positive(parse.GetValue(truthSamples), "--n-truth");
            var probe = probeEvery == 0 ? null : new LiftingProbe(probeEvery, model => ExactTruthProbe(model, probeSamples));
            var inputs = new LiftingInputs(parse.GetValue(stylegan)!, outDir, parse.GetValue(vgg), parse.GetValue(face));
            using var trainer = LiftingRun.Open(config, inputs, w => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}"), parse.GetValue(resume), Overrides,
                m => AnsiConsole.WriteLine(m));
            long total = (long)trainer.Config.Epochs * trainer.Config.StepsPerEpoch;
            bool supervised = trainer.Config.Objective == LiftingObjective.SupervisedTruth;
            stdout.WriteLine($"lifting {trainer.Config.Preset} ({trainer.Config.ImageSize} px{(supervised ? ", supervised on exact truth" : "")}) from step {trainer.GlobalStep} to {total} -> {outDir}");
            // The second number: reconstruction for the paper's objective, the depth term for the supervised one.
            string second = supervised ? "truth_depth" : "reconstruction";
            TrainingProgress.Run(stdout, "lift", total, trainer.GlobalStep, report =>
                LiftingRun.Run(trainer, outDir, every, probe: probe, progress: p => report(p.Step, string.Create(CultureInfo.InvariantCulture,
                    $"{p.Step}/{p.TotalSteps} {p.StepsPerSecond:F2} it/s total {p.Losses["total"]:F3} {(supervised ? "depth" : "rec")} {p.Losses.GetValueOrDefault(second, double.NaN):F3}"))));
            stdout.WriteLine($"done: step {trainer.GlobalStep}; checkpoint {LiftingRun.LatestCheckpoint(outDir)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The exact-truth errors of <see cref="Evaluation.ExactTruthProtocol"/> (seed 1, no estimator) as named values.</summary>
    static IReadOnlyDictionary<string, double> ExactTruthProbe(LiftedGenerator model, int samples)
    {
        var r = Evaluation.ExactTruthProtocol.Evaluate(model, null, samples, seed: 1);
        var lift = r[Evaluation.ExactTruthProtocol.Lift]!;
        var fidelity = Evaluation.DepthSignalProbe.Fidelity(model, samples);
        return new Dictionary<string, double>
        {
            ["yaw_deg"] = lift.Yaw!.MeanAbs, ["pitch_deg"] = lift.Pitch!.MeanAbs, ["roll_deg"] = lift.Roll!.MeanAbs,
            ["yaw_bias"] = lift.Yaw.Bias, ["pitch_bias"] = lift.Pitch.Bias, ["roll_bias"] = lift.Roll.Bias,
            ["yaw_centred"] = lift.Yaw.CentredMeanAbs, ["pitch_centred"] = lift.Pitch.CentredMeanAbs, ["roll_centred"] = lift.Roll.CentredMeanAbs,
            ["side"] = lift.Side, ["mad_deg"] = lift.Mad, ["canonical_r"] = r.CanonicalCorrelation, ["distinctiveness"] = r.Distinctiveness,
            ["mean_shape_side"] = r[Evaluation.ExactTruthProtocol.MeanShape]!.Side, ["teacher_l1"] = r.TeacherFitL1,
            ["canonical_l1"] = fidelity.LiftL1, ["canonical_slope"] = fidelity.LiftSlope,
        };
    }

    static int Positive(int v, string name) => v > 0 ? v : throw new UsageException($"{name} {v}: must be positive");

    /// <summary>The config with every `--set name=value` item applied in order.</summary>
    internal static LiftingConfig ApplyAll(LiftingConfig config, IEnumerable<string>? items) =>
        (items ?? []).Aggregate(config, Apply);

    static LiftingConfig Apply(LiftingConfig config, string item)
    {
        var kv = item.Split('=', 2);
        if (kv.Length != 2 || !Settable.TryGetValue(kv[0].Trim(), out var apply))
            throw new UsageException($"--set '{item}': expected name=value with name one of {string.Join(", ", Settable.Keys)}");
        if (!double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
            throw new UsageException($"--set '{item}': value must be a finite number ≥ 0");
        return apply(config, v);
    }
}
