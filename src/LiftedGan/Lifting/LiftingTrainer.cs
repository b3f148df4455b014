using LiftedGan.Checkpoints;
using LiftedGan.IO;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>A training step produced a non-finite loss or gradient; nothing was applied.</summary>
public sealed class LiftingDivergedException(long step, string what) : TrainingDivergedException(step, what, "the step was not applied");

/// <summary>
/// LiftedGAN's training step (spec section 3): samples truncated styles and teacher images, estimates and renders
/// them (plain and flipped), perturbs light and view, adds every weighted loss (perturbation part (a), which reaches
/// only the composer and officially has its own second backward pass, is added to the first: same gradients), runs
/// one backward pass and applies Adam (lr, betas 0.9/0.999, coupled
/// weight decay). Randomness of step k comes from a generator seeded with (seed, k), so a resumed run repeats an
/// uninterrupted one exactly. A term whose weight is 0 is not computed (ablations). With
/// <see cref="LiftingObjective.SupervisedTruth"/> the step instead fits the estimate of the same latents at truncation 1
/// to their exact truth (<see cref="TruthSupervision"/>), with the same optimiser, checkpoints and resume.
/// </summary>
public sealed class LiftingTrainer : ITrainable, IDisposable
{
    readonly AdamOptimizer _adam;
    readonly List<TorchSharp.Modules.Parameter> _trainable;
    readonly HashSet<IntPtr> _viewParameters;

    /// <summary>
    /// A trainer for <paramref name="model"/>. <paramref name="perceptual"/> may be null only where the config does not
    /// use it (the supervised objective, or a perceptual weight of 0). The supervised objective refuses a teacher that
    /// cannot be a world-fit teacher (<see cref="TruthSupervision.CheckTeacher"/>).
    /// </summary>
    public LiftingTrainer(LiftedGenerator model, StyleStatistics statistics, PerceptualLoss? perceptual, IFaceEmbedding? faceEmbedding)
    {
        if (model.Config.Objective == LiftingObjective.SupervisedTruth) TruthSupervision.CheckTeacher(model.Config, model.Teacher.Config.StyleDim);
        else if (perceptual is null && model.Config.PerceptualWeight > 0)
            throw new ArgumentNullException(nameof(perceptual), "the unsupervised objective with a perceptual weight above 0 needs the perceptual loss");
        Model = model;
        Statistics = statistics;
        Perceptual = perceptual;
        FaceEmbedding = faceEmbedding;
        _trainable = model.TrainableParameters().ToList();
        _viewParameters = (model.ViewEncoder?.parameters() ?? model.Decomposer.ViewParameters()).Select(p => p.Handle).ToHashSet();
        _adam = new AdamOptimizer(_trainable, model.Config.LearningRate, 0.9, 0.999, 1e-8, model.Config.WeightDecay);
    }

    public LiftedGenerator Model { get; }
    public StyleStatistics Statistics { get; }
    public PerceptualLoss? Perceptual { get; }
    public IFaceEmbedding? FaceEmbedding { get; }
    public LiftingConfig Config => Model.Config;
    public long GlobalStep { get; private set; }
    public int Epoch { get; set; }
    long ITrainable.StepsDone => GlobalStep;

    /// <summary>Each step's randomness: a generator seeded by (seed, step index).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => (ulong)(Config.Seed * 1_000_003 + i));

    /// <summary>Truncated styles and the teacher's clamped images for a batch (no gradients).</summary>
    public (Tensor Styles, Tensor Images) SampleTeacher(int batch, Generator g)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = SampleLatents(batch, g);
        var w = Model.Teacher.Map(z);
        w = Statistics.Mean + Config.Truncation * (w - Statistics.Mean);
        var image = Model.Synthesize(w).Image.clamp(-1, 1);
        return (w.MoveToOuterDisposeScope(), image.MoveToOuterDisposeScope());
    }

    /// <summary>Latents z ~ N(0, I), B x StyleDim, the first draw of every step under both objectives.</summary>
    Tensor SampleLatents(int batch, Generator g) => randn(new long[] { batch, Config.StyleDim }, generator: g);

    /// <summary>
    /// Styles at truncation 1 and the world's exact truth of the same latents (no gradients): what the supervised
    /// objective learns from. The latents are the ones <see cref="SampleTeacher"/> draws from the same generator state.
    /// </summary>
    public (Tensor Styles, Synthetic.FaceBatch Truth) SampleTruth(int batch, Generator g)
    {
        Tensor z, w;
        using (NewDisposeScope())
        using (no_grad())
        {
            z = SampleLatents(batch, g).MoveToOuterDisposeScope();
            w = Model.Teacher.Map(z).MoveToOuterDisposeScope();
        }
        // The truth is made in the caller's scope (it owns its tensors too).
        using (z) return (w, TruthSupervision.Truth(z, Config.ImageSize));
    }

    /// <summary>L1 plus the weighted perceptual loss; <paramref name="bFeatures"/>: <paramref name="b"/>'s perceptual features if already computed.</summary>
    Tensor ImageDistance(Tensor a, Tensor b, Tensor? mask = null, PerceptualFeatures? bFeatures = null)
    {
        var l1 = LiftingLosses.MaskedL1(a, b, mask);
        if (Config.PerceptualWeight <= 0) return l1;
        var perceptual = bFeatures is null ? Perceptual!.Compute(a, b, mask) : Perceptual!.Compute(a, bFeatures, mask);
        return l1 + Config.PerceptualWeight * perceptual;
    }

    /// <summary>Checkpoint key of the training time (our addition; the official loader ignores it).</summary>
    public const string TrainSecondsKey = "train_seconds";

    /// <summary>Wall-clock seconds spent in training steps over the run's life (carried across resumes; 0 for a checkpoint that predates it).</summary>
    public double TrainSeconds { get; private set; }

    /// <summary>One optimisation step with its own randomness; returns the weighted loss terms (and their total) as numbers.</summary>
    public IReadOnlyDictionary<string, double> Step() => Randomness.Run(GlobalStep, Step);

    /// <summary>One optimisation step drawing from <paramref name="g"/>; returns the weighted loss terms (and their total).</summary>
    public IReadOnlyDictionary<string, double> Step(Generator g)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try { return Config.Objective == LiftingObjective.SupervisedTruth ? SupervisedStep(g) : UnsupervisedStep(g); }
        catch (RenderInputException e) when (e.IsNonFinite)
        {
            throw new LiftingDivergedException(GlobalStep, $"a render input ({e.Argument})");
        }
        finally { TrainSeconds += clock.Elapsed.TotalSeconds; }
    }

    /// <summary>A lap timer for the unsupervised step's stages (`bench lift`); null in training.</summary>
    public LiftedGan.Training.StepProfile? Profile { get; set; }

    IReadOnlyDictionary<string, double> UnsupervisedStep(Generator g)
    {
        var c = Config;
        var losses = new Dictionary<string, double>();
        if (Model.Edit is { } edit && (!edit.Fitted || GlobalStep % c.ComposerEditEvery == 0))
        {
            var explained = edit.Fit(Model, LatentEdit.Samples, (ulong)(c.Seed * 1_000_003 + 314_159) ^ (ulong)GlobalStep);
            for (int i = 0; i < explained.Length; i++) losses[$"edit/explained_{edit.ReadingNames[i]}"] = explained[i];
        }
        Model.Decomposer.HoldLight = GlobalStep < c.LightWarmupSteps;
        Profile?.Begin();
        try { return UnsupervisedTerms(g, losses); }
        finally { Model.Decomposer.HoldLight = false; Profile?.End(); }
    }

    IReadOnlyDictionary<string, double> UnsupervisedTerms(Generator g, Dictionary<string, double> losses)
    {
        var c = Config;
        using var scope = NewDisposeScope();
        var (w, input) = SampleTeacher(c.BatchSize, g);
        if (!input.isfinite().all().item<bool>()) throw new LiftingDivergedException(GlobalStep, "the teacher image");
        Profile?.Lap("teacher sample (map, G no grad)");
        using var est = Model.Estimate(w, input);
        Profile?.Lap("estimate (nets, G(canonical), maps)");

        var terms = new List<(string Name, Tensor Value)>();
        using var main = Model.Render(est.Depth, est.Albedo, est.Light, est.View, est.TransformationMap);
        ShadedRender? flip = null;
        var mask = main.Render.Mask;
        if (c.FlipWeight > 0)
        {
            flip = Model.Render(est.Depth.flip(2), est.Albedo.flip(3), est.Light, est.View, est.TransformationMap);
            mask = mask * flip.Render.Mask;
        }
        Profile?.Lap("main and flipped renders");
        // The teacher image is a constant target of both reconstruction terms: its VGG16 features are computed once.
        using var inputFeatures = c.PerceptualWeight > 0 ? Perceptual!.Features(input) : null;
        var rec = ImageDistance(main.Render.Image, input, mask, inputFeatures);
        if (flip != null) rec = rec + c.FlipWeight * ImageDistance(flip.Render.Image, input, mask, inputFeatures);
        terms.Add(("reconstruction", c.ReconstructionWeight * rec));
        Profile?.Lap("reconstruction (VGG16, L1)");

        using var pert = Perturbation.Sample(est.Light, c, g);
        bool needsPerturbedRender = c.PerturbImageWeight > 0 || (c.IdentityWeight > 0 && FaceEmbedding != null);
        Tensor? composerTerm = null;
        if (needsPerturbedRender || c.PerturbParameterWeight > 0 || c.StylePriorWeight > 0 || c.StyleProximityWeight > 0 || c.CanonicalInvarianceWeight > 0)
        {
            var perturbedStyle = Model.Compose(w.detach(), pert.Light, pert.View);
            // G(w') once, with its graph to the composer: the view read from it (view_from_image) and part (a) of the
            // perturbation term need the graph, part (b) uses it as a constant.
            bool fused = !SeparatePasses && c.PerturbImageWeight > 0;
            var teacherOfPerturbed = c.ViewFromImage || fused ? Model.Synthesize(perturbedStyle).Image : null;
            var (lightEst, viewEst) = Model.LightAndView(perturbedStyle, c.PerturbTrainsDecomposer, c.ViewFromImage ? teacherOfPerturbed : null);
            Tensor? perturbedImage = null;
            if (needsPerturbedRender)
                perturbedImage = Model.Render(est.Depth, est.Albedo, lightEst, viewEst, est.TransformationMap).Render.Image;
            if (fused)
            {
                var (partB, partA) = PerturbationParts(est, pert, perturbedImage!, teacherOfPerturbed!);
                terms.Add(("perturb_image", c.PerturbImageWeight * partB));
                composerTerm = c.PerturbImageWeight * partA;
            }
            else if (c.PerturbImageWeight > 0)
            {
                Tensor regenerated;
                if (teacherOfPerturbed is not null) regenerated = teacherOfPerturbed.detach();
                else using (no_grad()) regenerated = Model.Synthesize(perturbedStyle.detach()).Image;
                terms.Add(("perturb_image", c.PerturbImageWeight * ImageDistance(perturbedImage!, regenerated)));
            }
            if (c.PerturbParameterWeight > 0)
                terms.Add(("perturb_param", c.PerturbParameterWeight * LiftingLosses.ParameterCycle(lightEst, pert.Light, viewEst, pert.View, c.CyclePitchWeight, c.CycleRollWeight)));
            if (c.IdentityWeight > 0 && FaceEmbedding != null)
            {
                var identity = LiftingLosses.Identity(FaceEmbedding.Embed(est.CanonicalImage), FaceEmbedding.Embed(perturbedImage!), pert.YawDegrees, c.IdentityMaxYaw);
                if (identity is not null) terms.Add(("identity", c.IdentityWeight * identity));
            }
            if (c.CanonicalInvarianceWeight > 0)
            {
                var perturbedCanonical = Model.Synthesize(Model.NeutralStyle(perturbedStyle.detach(), lightEst)).Image;
                terms.Add(("canonical_invariance", c.CanonicalInvarianceWeight * LiftingLosses.MaskedL1(perturbedCanonical, est.CanonicalImage, null)));
            }
            if (c.StylePriorWeight > 0)
                terms.Add(("style_prior", c.StylePriorWeight * LiftingLosses.StylePrior(perturbedStyle, Statistics.Mean, Statistics.SigmaInverse)));
            if (c.StyleProximityWeight > 0)
                terms.Add(("style_proximity", c.StyleProximityWeight * 0.5 * (LiftingLosses.StylePrior(est.NeutralStyle, w.detach(), Statistics.SigmaInverse)
                    + LiftingLosses.StylePrior(perturbedStyle, w.detach(), Statistics.SigmaInverse))));
        }
        Profile?.Lap("perturbation (G(w'), renders, VGG16)");
        if (c.SourceIdentityWeight > 0 && FaceEmbedding != null)
        {
            using var yaw = est.View[.., 1].detach() * LiftedGan.Rendering.ViewTransform.RotationRangeDegrees;
            Tensor target;
            using (no_grad()) target = FaceEmbedding.Embed(input);
            var identity = LiftingLosses.Identity(FaceEmbedding.Embed(est.CanonicalImage), target, yaw, c.IdentityMaxYaw);
            if (identity is not null) terms.Add(("source_identity", c.SourceIdentityWeight * identity));
        }
        if (c.MirrorWeight > 0)
        {
            var mirrored = Model.Compose(w.detach(), Perturbation.MirrorLight(est.Light), Perturbation.MirrorView(est.View));
            terms.Add(("mirror", c.MirrorWeight * ImageDistance(Model.Synthesize(mirrored).Image, input.flip(3))));
        }
        if (c.StyleCycleWeight > 0)
        {
            var selfStyle = Model.Compose(w.detach(), est.Light.detach(), est.View.detach());
            terms.Add(("style_cycle", c.StyleCycleWeight * LiftingLosses.StylePrior(selfStyle, w.detach(), Statistics.SigmaInverse)));
        }
        if (c.CanonicalFrontalWeight > 0)
        {
            // The view network's reading of the canonical image with its weights fixed: it trains the composer (and the light
            // head through the canonical light, as every canonical-image term does), never the view network.
            var (_, canonicalView) = Model.LightAndView(est.NeutralStyle, train: false, image: est.CanonicalImage);
            terms.Add(("canonical_frontal", c.CanonicalFrontalWeight
                * LiftingLosses.RotationError(canonicalView, zeros_like(canonicalView), c.CyclePitchWeight, c.CycleRollWeight)));
        }
        if (c.CanonicalRoundTripWeight > 0)
        {
            var returned = Model.Compose(est.NeutralStyle, est.Light.detach(), est.View.detach());
            terms.Add(("canonical_roundtrip", c.CanonicalRoundTripWeight * LiftingLosses.MaskedL1(Model.Synthesize(returned).Image, input, null)));
        }
        if (c.CanonicalSymmetryWeight > 0)
            terms.Add(("canonical_symmetry", c.CanonicalSymmetryWeight * LiftingLosses.MaskedL1(est.CanonicalImage, est.CanonicalImage.flip(3), null)));
        if (c.AlbedoRankWeight > 0)
            terms.Add(("albedo_rank", c.AlbedoRankWeight * LiftingLosses.AlbedoRank(est.Albedo, est.Depth, Model.Blur, c.BorderDepth, c.RankDownsample)));
        if (c.DepthSmoothnessWeight > 0)
            terms.Add(("depth_smoothness", c.DepthSmoothnessWeight * LiftingLosses.DepthSmoothness(est.Depth)));

        if (c.ViewEquivarianceWeight > 0 && Model.ViewEncoder is not null)
        {
            // Drawn last, so that a run without the term keeps every other draw of its step.
            double range = c.ViewEquivarianceRoll * Math.PI / 180;
            var roll1 = (rand(c.BatchSize, generator: g) * 2 - 1) * range;
            var roll2 = (rand(c.BatchSize, generator: g) * 2 - 1) * range;
            terms.Add(("view_equivariance", c.ViewEquivarianceWeight * LiftingLosses.ViewEquivariance(Model.ReadView, input,
                roll1.to(input.dtype), roll2.to(input.dtype))));
        }
        Tensor? renderCycle = null;
        if (c.ViewRenderCycleWeight > 0 && Model.ViewEncoder is not null)
        {
            // Drawn after every other draw of the step, so that a run without the term keeps them.
            renderCycle = c.ViewRenderCycleWeight * ViewRenderCycle(est, g);
            if (!c.ViewRenderCycleOnly) terms.Add(("view_render_cycle", renderCycle));
        }
        var total = SumTerms(terms, losses);
        Profile?.Lap("other terms, loss sum");

        _adam.ZeroGrad();
        if (composerTerm is not null)
        {
            // The official second backward pass, folded into the first: gradients add and no weight changes between
            // the two, so one pass over the sum gives the same gradients.
            losses["perturb_image_a"] = composerTerm.item<float>();
            (total + composerTerm).backward();
        }
        else total.backward();
        Profile?.Lap("backward (one pass)");
        if (renderCycle is not null && c.ViewRenderCycleOnly)
        {
            // The encoders learn from the render cycle alone: drop what the other terms gave them, then add its gradient.
            foreach (var p in Model.ImageEncoderParameters()) p.grad?.zero_();
            losses["view_render_cycle"] = renderCycle.item<float>();
            if (!double.IsFinite(losses["view_render_cycle"])) throw new LiftingDivergedException(GlobalStep, "the view render cycle");
            renderCycle.backward();
        }
        if (SeparatePasses && c.PerturbImageWeight > 0)
        {
            // Pass 2 (part (a)): the render with the sampled perturbation, fully detached, trains only the composer.
            Tensor target;
            using (no_grad()) target = Model.Render(est.Depth.detach(), est.Albedo.detach(), pert.Light, pert.View, est.TransformationMap.detach()).Render.Image;
            var style = Model.Compose(w.detach(), pert.Light, pert.View);
            var regenerated = Model.Synthesize(style).Image;
            var partA = c.PerturbImageWeight * ImageDistance(target, regenerated);
            losses["perturb_image_a"] = partA.item<float>();
            partA.backward();
            Profile?.Lap("official pass 2");
        }
        ApplyGradients();
        Profile?.Lap("optimiser (checks, Adam)");
        flip?.Dispose();
        GlobalStep++;
        return losses;
    }

    /// <summary>
    /// The render cycle of the view (<see cref="LiftingConfig.ViewRenderCycleWeight"/>, unweighted): the estimate's
    /// detached depth, albedo, light and transformation map rendered at random rotations (the estimated translation
    /// kept; each face <see cref="LiftingConfig.ViewRenderCycleRepeat"/> times, at its own views), and the mean squared
    /// raw rotation error of the image view encoders' reading of those renders.
    /// </summary>
    Tensor ViewRenderCycle(LiftedEstimate est, Generator g)
    {
        var c = Config;
        using var scope = NewDisposeScope();
        int r = c.ViewRenderCycleRepeat;
        Tensor Repeat(Tensor t) => r == 1 ? t.detach() : t.detach().repeat_interleave(r, 0);
        var view = Repeat(est.View);
        Tensor image, target;
        using (no_grad())
        {
            var range = tensor(new[] { (float)c.ViewRenderCyclePitch, (float)c.PerturbYaw, (float)c.ViewRenderCycleRoll }, dtype: view.dtype, device: view.device);
            var angles = (rand(new long[] { view.shape[0], 3 }, generator: g) * 2 - 1).to(view.dtype).to(view.device) * range;
            target = cat(new[] { angles / LiftedGan.Rendering.ViewTransform.RotationRangeDegrees, view[.., 3..] }, 1);
            image = Model.Render(Repeat(est.Depth), Repeat(est.Albedo), Repeat(est.Light), target, Repeat(est.TransformationMap)).Render.Image.clamp(-1, 1);
        }
        return LiftingLosses.RotationError(Model.ReadView(image), target).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The perturbed-image term's two parts (spec section 3.4): (b) the render in the view and light estimated from the
    /// perturbed style against G(w') as a constant, (a) G(w') against the fully detached render in the sampled view and
    /// light, which reaches only the composer. G(w')'s VGG16 features are computed once with their graph and serve
    /// both (detached for (b)); the sampled-view render's features are a constant.
    /// </summary>
    (Tensor PartB, Tensor PartA) PerturbationParts(LiftedEstimate est, Perturbation pert, Tensor perturbedImage, Tensor regenerated)
    {
        Tensor target;
        using (no_grad()) target = Model.Render(est.Depth.detach(), est.Albedo.detach(), pert.Light, pert.View, est.TransformationMap.detach()).Render.Image;
        var constant = regenerated.detach();
        var partB = LiftingLosses.MaskedL1(perturbedImage, constant, null);
        var partA = LiftingLosses.MaskedL1(target, regenerated, null);
        if (Config.PerceptualWeight <= 0) return (partB, partA);
        using var tracked = Perceptual!.TrackedFeatures(regenerated);
        using var trackedConstant = tracked.Detached();
        using var targetFeatures = Perceptual.Features(target);
        return (partB + Config.PerceptualWeight * Perceptual.Compute(perturbedImage, trackedConstant),
            partA + Config.PerceptualWeight * Perceptual.Compute(tracked, targetFeatures));
    }

    /// <summary>
    /// Runs the perturbed-image term in the official order: part (b) in the first backward pass against a separately
    /// regenerated G(w'), part (a) in a second pass: the reference the tests compare the folded step with, and the
    /// official order `bench lift` times beside it.
    /// </summary>
    internal bool SeparatePasses { get; set; }

    /// <summary>The sum of the weighted terms; records each and the total in <paramref name="losses"/>; stops on a non-finite total.</summary>
    Tensor SumTerms(IEnumerable<(string Name, Tensor Value)> terms, Dictionary<string, double> losses)
    {
        var list = terms.ToList();
        var total = list.Select(t => t.Value).Aggregate((a, b) => a + b);
        foreach (var (name, value) in list) losses[name] = value.item<float>();
        losses["total"] = total.item<float>();
        if (!double.IsFinite(losses["total"])) throw new LiftingDivergedException(GlobalStep, "the loss");
        return total;
    }

    /// <summary>Adam on the accumulated gradients, after checking every one is finite (nothing is applied otherwise).</summary>
    void ApplyGradients()
    {
        foreach (var p in _trainable)
            if (p.grad is { } grad && !grad.isfinite().all().item<bool>())
                throw new LiftingDivergedException(GlobalStep, "a gradient");
        _adam.Step(GlobalStep < Config.ViewHoldUntilStep ? _viewParameters : null);
    }

    /// <summary>The <see cref="LiftingObjective.SupervisedTruth"/> step: L1 of the estimate against exact truth, one backward pass, Adam.</summary>
    IReadOnlyDictionary<string, double> SupervisedStep(Generator g)
    {
        var c = Config;
        var losses = new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        var (w, sampled) = SampleTruth(c.BatchSize, g);
        using var truth = sampled;
        if (!w.isfinite().all().item<bool>()) throw new LiftingDivergedException(GlobalStep, "the teacher's style");
        using var est = Model.Estimate(w);
        var terms = TruthSupervision.Terms(est, truth, c);
        var total = SumTerms(terms, losses);

        _adam.ZeroGrad();
        total.backward();
        ApplyGradients();
        GlobalStep++;
        return losses;
    }

    /// <summary>
    /// Writes the official checkpoint layout (netD, netT, netSD, netSC, optimizer, global_step, epoch) atomically, and
    /// our config as JSON beside it (liftedgan_config.json).
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        var root = new PyDict();
        foreach (var (key, module) in Model.Networks)
        {
            var sd = new PyDict { IsOrdered = true };
            foreach (var (k, v) in StateDict.Export(module)) sd.Set(k, v);
            root.Set(key, sd);
        }
        root.Set("optimizer", AdamStateDict.Export(_adam, OfficialSlots(), torch2Group: true));
        root.Set("global_step", GlobalStep);
        root.Set("epoch", (long)Epoch);
        root.Set(TrainSecondsKey, TrainSeconds);
        TorchCheckpoint.Save(path, root);
        string json = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, LiftedCheckpoint.ConfigFileName);
        AtomicFile.WriteAllBytes(json, System.Text.Encoding.UTF8.GetBytes(Config.ToJson()));
    }

    /// <summary>Restores networks (strictly), optimiser state, global step and epoch from a checkpoint we or the official code wrote.</summary>
    /// <returns>Checkpoint keys of the model's networks the checkpoint did not hold (they keep their initial weights and start Adam fresh).</returns>
    /// <summary>Clears the optimiser's state of <paramref name="parameters"/> (e.g. a layer re-started after a resume).</summary>
    public void ResetOptimizerState(IEnumerable<TorchSharp.Modules.Parameter> parameters) => _adam.Reset(parameters);

    public IReadOnlyList<string> Resume(string path)
    {
        var root = LiftedCheckpoint.LoadNetworks(Model, path);
        var missing = LiftedCheckpoint.MissingNetworks(Model, root);
        if (root.TryGet("optimizer", out var opt) && opt is PyDict optimizer) AdamStateDict.Restore(_adam, optimizer, path, "optimizer", OfficialSlots());
        GlobalStep = root.TryGet("global_step", out var gs) ? Convert.ToInt64(gs) : 0;
        Epoch = root.TryGet("epoch", out var ep) ? (int)Convert.ToInt64(ep) : 0;
        TrainSeconds = root.TryGet(TrainSecondsKey, out var t) && t is double seconds ? seconds : 0;
        TorchCheckpoint.DisposeTensors(root);
        return missing;
    }

    /// <summary>
    /// For each parameter in the official optimiser order (all networks' parameters, the decomposer's style head
    /// included, as officially), its index among the trained ones, or −1.
    /// </summary>
    IReadOnlyList<int> OfficialSlots()
    {
        var index = _trainable.Select((p, i) => (p, i)).ToDictionary(x => x.p.Handle, x => x.i);
        return Model.Networks.SelectMany(n => n.Module.parameters()).Select(p => index.TryGetValue(p.Handle, out int i) ? i : -1).ToList();
    }

    public void Dispose() => _adam.Dispose();
}
