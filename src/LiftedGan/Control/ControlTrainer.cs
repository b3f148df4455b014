using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// One resumable training run of a <see cref="ControlGenerator"/> against the procedural face world (the real images
/// are world renders with texture noise, FFHQ's role). During the optional render warm start
/// (<see cref="ControlConfig.RenderWarmupSteps"/>) a step fits G to the renders by the pixel term alone (and the expression term when it is weighted). After it, per step: a discriminator step (non-saturating logistic loss,
/// lazy R1 every <see cref="ControlConfig.R1Every"/> steps), then a generator step with the adversarial loss plus
/// <list type="bullet">
/// <item>DiscoFaceGAN: the imitative losses against the face model's render of the same codes, and from
/// <see cref="ControlConfig.ContrastFrom"/> the contrastive losses on pairs whose codes differ only in expression or
/// only in light (§4.3; none for pose, as in the paper);</item>
/// <item>Tax-free: λ · consistency, FR reading the blend α·x + (1 − α)·render, α = min(1, step / blend steps), plus the
/// render and expression terms when weighted.</item>
/// </list>
/// Every step's draws come from a generator seeded by (run seed, step), so a resumed run equals an uninterrupted one.
/// </summary>
public sealed class ControlTrainer : ITrainable, IDisposable
{
    readonly AdamOptimizer gAdam, dAdam;
    readonly FaceAnalysis analysis;

    /// <summary>A fresh run of <paramref name="config"/> with the frozen networks of <paramref name="analysis"/>.</summary>
    public ControlTrainer(ControlConfig config, FaceAnalysis analysis)
    {
        config.Validate();
        TorchRuntime.EnsureLoaded();
        Config = config;
        this.analysis = analysis;
        foreach (var p in analysis.Estimator.parameters()) p.requires_grad = false;
        Generator = new ControlGenerator(config);
        using var rng = new Generator((ulong)config.Seed + 1);
        Discriminator = new StyleDiscriminator(new DiscriminatorConfig
        {
            Size = config.Size, Channels = Enumerable.Range(2, (int)Math.Log2(config.Size) - 1).ToDictionary(k => 1 << k, _ => config.Channels),
        }, rng);
        double ratio = config.R1Every / (config.R1Every + 1.0);
        gAdam = new AdamOptimizer(Generator.TrainedParameters(), config.LearningRate, config.Beta1, 0.99);
        dAdam = new AdamOptimizer(Discriminator.parameters(), config.LearningRate * ratio, Math.Pow(config.Beta1, ratio), Math.Pow(0.99, ratio));
    }

    public ControlConfig Config { get; }
    /// <summary>The generator being trained (owned by the trainer).</summary>
    public ControlGenerator Generator { get; }
    /// <summary>The discriminator (owned by the trainer).</summary>
    public StyleDiscriminator Discriminator { get; }
    /// <summary>Steps done.</summary>
    public long Step { get; private set; }
    /// <summary>The checkpoint this run's generator started from (<see cref="StartFrom"/>): file name and SHA-256; null for a run from scratch.</summary>
    public string? InitialisedFrom { get; private set; }
    long ITrainable.StepsDone => Step;

    /// <summary>Each step's randomness: a generator seeded by (run seed, step number from 1).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => StepRandomness.GoldenSeed((ulong)Config.Seed, i));

    /// <summary>Runs the next step (a non-finite loss throws <see cref="TrainingDivergedException"/>) and returns its scalars.</summary>
    public IReadOnlyDictionary<string, double> TrainStep() => TrainingLoop.RunStep(this, Randomness);

    static void SetRequiresGrad(IEnumerable<TorchSharp.Modules.Parameter> ps, bool on)
    {
        foreach (var p in ps) p.requires_grad = on;
    }

    IReadOnlyDictionary<string, double> ITrainable.Step(Generator rng)
    {
        Step++;
        using var scope = NewDisposeScope();
        int b = Config.Batch;
        var scalars = new Dictionary<string, double>();
        var code = ControlCode.Sample(b, Config.NoiseDims, rng);
        using var render = ControlCode.Render(code, Config.Size);
        using var world = FaceWorld.SampleBatch(b, Config.Size, rng);

        if (Step <= Config.RenderWarmupSteps) return WarmupStep(code, render, rng, scalars);

        TrainDiscriminator(code, render, world, b, scalars);

        // Generator.
        SetRequiresGrad(Discriminator.parameters(), false);
        SetRequiresGrad(Generator.TrainedParameters(), true);
        var x = Generator.Generate(code, render);
        var adv = nn.functional.softplus(-Discriminator.forward(x)).mean();
        var total = adv;
        scalars["loss/g_adv"] = adv.item<float>();
        if (Config.Method == ControlMethod.Disco)
        {
            double ramp = Config.EstimatorRamp(Step);
            if (Config.EstimatorRampSteps > 0) scalars["estimator_ramp"] = ramp;
            var terms = ControlLosses.Imitative(x, render, analysis, Config.PixelRegion, Config.ConsistencyTarget);
            // One pair that differs only in expression serves the expression term and the expression contrast, drawn
            // where the first of them needs it.
            (FaceBatch Render, Tensor Image)? pairE = null;
            (FaceBatch Render, Tensor Image) PairE() => pairE ??= ExpressionPair(code, rng);
            if (Config.ExpressionWeight > 0) terms["expression"] = ControlLosses.ExpressionDifference(x, PairE().Image, render, PairE().Render);
            if (Config.ExpressionBalancedWeight > 0) terms["expression_balanced"] = BalancedExpressionTerm(code, x, render, rng);
            foreach (var (name, t) in terms)
            {
                double weight = name switch
                {
                    "identity" => Config.IdentityWeight, "pose" => ramp * Config.PoseWeight, "light" => ramp * Config.LightWeight,
                    "colour" => Config.ColourWeight, "expression" => Config.ExpressionWeight,
                    "expression_balanced" => Config.ExpressionBalancedWeight, _ => Config.PixelWeight,
                };
                total = total + weight * t;
                scalars[$"loss/imitative_{name}"] = t.item<float>();
            }
            if (Step > Config.ContrastFrom)
            {
                var expression = ControlLosses.ExpressionContrast(x, PairE().Image, render, PairE().Render);
                var codeL = ControlCode.Resample(code, ControlFactor.Light, rng);
                using var renderL = ControlCode.Render(codeL, Config.Size);
                var xL = Generator.Generate(codeL, renderL);
                var (maskPose, identity) = ControlLosses.LightContrast(x, xL, analysis);
                total = total + ramp * (Config.ExpressionContrastWeight * expression + Config.LightContrastWeight * maskPose + Config.LightIdentityWeight * identity);
                scalars["loss/contrast_expression"] = expression.item<float>();
                scalars["loss/contrast_light"] = maskPose.item<float>();
                scalars["loss/contrast_light_identity"] = identity.item<float>();
            }
            pairE?.Render.Dispose();
        }
        else
        {
            double alpha = Config.BlendSteps == 0 ? 1 : Math.Min(1, (Step - 1) / (double)Config.BlendSteps);
            var consistency = ControlLosses.Consistency(x, render, analysis, alpha, Config.ConsistencyTarget);
            total = total + Config.ConsistencyWeight * consistency;
            scalars["loss/consistency"] = consistency.item<float>();
            if (Config.ConsistencyTarget == ConsistencyTarget.Code)
                using (no_grad())
                using (var own = ControlLosses.Consistency(render.Images, render, analysis, 1))
                    // What the face model's own render scores: a generator far below it draws what the estimator misreads.
                    scalars["reference/render_consistency"] = own.item<float>();
            if (Config.RenderFidelityWeight > 0)
            {
                var fidelity = ControlLosses.Pixel(x, render, Config.PixelRegion);
                total = total + Config.RenderFidelityWeight * fidelity;
                scalars["loss/render_fidelity"] = fidelity.item<float>();
            }
            if (Config.ExpressionWeight > 0)
            {
                var expression = ExpressionTerm(code, x, render, rng);
                total = total + Config.ExpressionWeight * expression;
                scalars["loss/expression"] = expression.item<float>();
            }
            if (Config.ExpressionBalancedWeight > 0)
            {
                var balanced = BalancedExpressionTerm(code, x, render, rng);
                total = total + Config.ExpressionBalancedWeight * balanced;
                scalars["loss/expression_balanced"] = balanced.item<float>();
            }
            scalars["blend_alpha"] = alpha;
        }
        gAdam.ZeroGrad();
        total.backward();
        gAdam.Step();
        scalars["loss/g"] = total.item<float>();
        return scalars;
    }

    /// <summary>A render warm-start step: G fitted to the face model's render of its codes by the pixel term (and the expression term when weighted), nothing else.</summary>
    IReadOnlyDictionary<string, double> WarmupStep(Tensor code, FaceBatch render, Generator rng, Dictionary<string, double> scalars)
    {
        SetRequiresGrad(Generator.TrainedParameters(), true);
        var x = Generator.Generate(code, render);
        var pixel = ControlLosses.Pixel(x, render, Config.PixelRegion);
        var loss = pixel;
        scalars["loss/warmup_pixel"] = pixel.item<float>();
        if (Config.ExpressionWeight > 0)
        {
            var expression = ExpressionTerm(code, x, render, rng);
            loss = loss + Config.ExpressionWeight / Config.PixelWeight * expression;
            scalars["loss/warmup_expression"] = expression.item<float>();
        }
        if (Config.ExpressionBalancedWeight > 0)
        {
            var balanced = BalancedExpressionTerm(code, x, render, rng);
            loss = loss + Config.ExpressionBalancedWeight / Config.PixelWeight * balanced;
            scalars["loss/warmup_expression_balanced"] = balanced.item<float>();
        }
        gAdam.ZeroGrad();
        loss.backward();
        gAdam.Step();
        scalars["loss/g"] = loss.item<float>();
        return scalars;
    }

    /// <summary>The expression term (unweighted) of images x of <paramref name="code"/>, against a fresh pair with the expression redrawn.</summary>
    Tensor ExpressionTerm(Tensor code, Tensor x, FaceBatch render, Generator rng)
    {
        var (renderE, xE) = ExpressionPair(code, rng);
        using var _ = renderE;
        return ControlLosses.ExpressionDifference(x, xE, render, renderE);
    }

    /// <summary>The balanced expression term (unweighted) of images x of <paramref name="code"/>, against fresh pairs each with one expression parameter redrawn.</summary>
    Tensor BalancedExpressionTerm(Tensor code, Tensor x, FaceBatch render, Generator rng)
    {
        using var codeE = ControlCode.ResampleExpressionInTurn(code, rng);
        using var renderE = ControlCode.Render(codeE, Config.Size);
        var xE = Generator.Generate(codeE, renderE);
        return ControlLosses.ExpressionBalanced(x, xE, render, renderE);
    }

    /// <summary>
    /// The image and render of <paramref name="code"/> with its expression redrawn (the pair of the expression term and
    /// the expression contrast); the caller disposes the render.
    /// </summary>
    (FaceBatch Render, Tensor Image) ExpressionPair(Tensor code, Generator rng)
    {
        var codeE = ControlCode.Resample(code, ControlFactor.Expression, rng);
        var renderE = ControlCode.Render(codeE, Config.Size);
        return (renderE, Generator.Generate(codeE, renderE));
    }

    /// <summary>One discriminator step (non-saturating logistic loss) and, every R1 interval, its lazy R1 step.</summary>
    void TrainDiscriminator(Tensor code, FaceBatch render, FaceBatch world, int b, Dictionary<string, double> scalars)
    {
        SetRequiresGrad(Generator.TrainedParameters(), false);
        SetRequiresGrad(Discriminator.parameters(), true);
        Tensor fake;
        using (no_grad()) fake = Generator.Generate(code, render);
        var dLoss = nn.functional.softplus(-Discriminator.forward(world.Images)).mean() + nn.functional.softplus(Discriminator.forward(fake)).mean();
        dAdam.ZeroGrad();
        dLoss.backward();
        dAdam.Step();
        scalars["loss/d"] = dLoss.item<float>();
        if (Config.R1 > 0 && Step % Config.R1Every == 0)
        {
            var real = world.Images.detach().requires_grad_(true);
            var grad = autograd.grad([Discriminator.forward(real).sum()], [real], create_graph: true, retain_graph: true)[0];
            var r1 = grad.square().reshape(b, -1).sum(1).mean();
            dAdam.ZeroGrad();
            (r1 * (Config.R1 / 2 * Config.R1Every)).backward();
            dAdam.Step();
            scalars["loss/r1"] = r1.item<float>();
        }
    }

    /// <summary>Writes generator, discriminator, both optimisers, step and settings (atomically; <see cref="Resume"/> reads it).</summary>
    public void Save(string path)
    {
        var root = ControlModel.ToCheckpoint(Generator);
        root.Set("discriminator", StateDict.Export(Discriminator));
        root.Set("g_optimizer", AdamStateDict.Export(gAdam));
        root.Set("d_optimizer", AdamStateDict.Export(dAdam));
        root.Set("step", Step);
        if (InitialisedFrom is not null) root.Set("initialised_from", InitialisedFrom);
        TorchCheckpoint.Save(path, root);
    }

    /// <summary>
    /// Continues the run saved at <paramref name="path"/>; its settings must equal <paramref name="config"/> except the
    /// objective and the learning rate (<see cref="ControlConfig.WithObjectiveOf"/>), which the run then trains with.
    /// </summary>
    public static ControlTrainer Resume(string path, ControlConfig config, FaceAnalysis analysis) =>
        FromCheckpoint(path, config, analysis, "use the same settings (only the objective and the learning rate may change) or another run folder", (trainer, root) =>
        {
            if (!root.TryGet("step", out var s) || s is not long step || !root.TryGet("discriminator", out var dv) || dv is not PyDict d
                || !root.TryGet("g_optimizer", out var gv) || gv is not PyDict gOpt || !root.TryGet("d_optimizer", out var dov) || dov is not PyDict dOpt)
                throw new ControlException(path, "holds no training state (step, discriminator, optimisers) to resume from");
            ControlModel.LoadStrict(trainer.Discriminator, d, path, "discriminator");
            AdamStateDict.Restore(trainer.gAdam, gOpt, path, "g_optimizer");
            AdamStateDict.Restore(trainer.dAdam, dOpt, path, "d_optimizer");
            trainer.Step = step;
            if (root.TryGet("initialised_from", out var init) && init is string from) trainer.InitialisedFrom = from;
        });

    /// <summary>
    /// A new run (step 0, fresh discriminator and optimisers) whose generator starts from the generator of the control
    /// checkpoint at <paramref name="path"/>, a training or a packed one: a second stage with another objective. The
    /// checkpoint's settings must equal <paramref name="config"/> except the objective and the learning rate, as for
    /// <see cref="Resume"/>.
    /// </summary>
    public static ControlTrainer StartFrom(string path, ControlConfig config, FaceAnalysis analysis) =>
        FromCheckpoint(path, config, analysis, "a run started from it must have the same settings (only the objective and the learning rate may change)", (trainer, _) => trainer.InitialisedFrom = RunOrigin.Of(path));

    /// <summary>A trainer of <paramref name="config"/> with the generator of the checkpoint at <paramref name="path"/> (whose settings must match but for the objective), then <paramref name="restore"/>.</summary>
    static ControlTrainer FromCheckpoint(string path, ControlConfig config, FaceAnalysis analysis, string mismatchHint, Action<ControlTrainer, PyDict> restore)
    {
        if (!File.Exists(path)) throw new ControlException(path, "checkpoint not found");
        TorchRuntime.EnsureLoaded();
        var root = TorchCheckpoint.Load(path) as PyDict ?? throw new ControlException(path, "not a control checkpoint (top level is not a dict)");
        try
        {
            var saved = ControlModel.ReadConfig(root, path);
            if (saved.WithObjectiveOf(config) != config) throw new ControlException(path, $"was trained with {saved}, not {config}; {mismatchHint}");
            var trainer = new ControlTrainer(config, analysis);
            try
            {
                ControlModel.LoadWeights(trainer.Generator, root, path);
                restore(trainer, root);
                return trainer;
            }
            catch
            {
                trainer.Dispose();
                throw;
            }
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    public void Dispose()
    {
        gAdam.Dispose();
        dAdam.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
