using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Lifting;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>A GAN2Shape step produced a non-finite loss or gradient; nothing was applied.</summary>
public sealed class Gan2ShapeDivergedException(long iteration, string what) : TrainingDivergedException(iteration, what, "the fit stopped");

/// <summary>One logged loss of a fit: stage (−1 for the prior fit), step ("prior", "step1", "step2", "step3") and iteration.</summary>
public sealed record Gan2ShapeLoss(int Stage, string Step, int Iteration, double Loss);

/// <summary>
/// GAN2Shape on teacher samples (Pan et al. 2021; spec related-systems §1), their latents w known exactly. With one
/// sample it is the per-image fit; with several, the joint pre-training of §1.8 (one set of networks for all, the current
/// image changing every iteration in a shuffled cycle restarted at each step, every image's decomposition taken before
/// step 2, projections stored per image). The depth, albedo, light and view networks are Unsup3d's
/// (<see cref="Unsup3dModel"/>, no confidence network; its renderer and depth conventions), freshly initialised from
/// the config's seed (the official per-image weight reset) or loaded from a joint pre-training
/// (<see cref="Gan2ShapeWeights"/>), plus the latent encoder E. Fresh networks are first fitted to the ellipsoid prior
/// placed on the first image's object box (default: the whole image with the official face adjustment, for want of the
/// face parser); pre-trained ones are not (as the official instance runs). Then per stage: step 1 fits the albedo
/// network alone to the image; step 2 fits E so that the teacher's image of w + Δw (Δw through the mapping,
/// <see cref="LatentProjection"/>) reproduces pseudo samples (renders under random views and lights,
/// <see cref="PseudoSamples"/>), plus λ_reg·mean(Δw²); "collect" stores projections of fresh pseudo samples; step 3
/// fits depth, albedo, light and view to the image and to batches of its stored projections (shared depth and albedo
/// from the image, each projection's own view and light). Every step gets a fresh Adam of the networks it trains. All
/// randomness comes from one generator seeded by the sample seed.
/// </summary>
public sealed class Gan2ShapeInstance : IDisposable
{
    readonly Generator _random;
    readonly List<Tensor> _styles = [];
    readonly List<Tensor> _images = [];
    readonly List<Tensor>[] _projected;
    readonly List<Tensor>[] _projectedMasks;
    readonly List<Gan2ShapeLoss> _history = [];
    readonly Queue<int> _cycle = new();

    /// <param name="config">The fit's settings (<see cref="Gan2ShapeConfig.Official"/>, <see cref="Gan2ShapeConfig.Cpu"/> or a joint preset).</param>
    /// <param name="teacher">The StyleGAN2 whose samples are reconstructed (its parameters are frozen here).</param>
    /// <param name="w">The samples' styles, N×D (N = 1: a per-image fit; N &gt; 1: joint training).</param>
    /// <param name="perceptual">The perceptual network (<see cref="Gan2ShapeLosses.Perceptual"/>); null only with λ_perc 0 and feature weight 0.</param>
    /// <param name="sampleSeed">Seed of the pseudo samples, batches and image order.</param>
    /// <param name="box">The first image's object box for the prior; null: the whole image, face-adjusted.</param>
    /// <param name="start">Networks of a joint pre-training to start from (no prior fit then); null: fresh networks.</param>
    /// <param name="target">
    /// The image a single-image fit reconstructs (1×3×S×S in [−1, 1], e.g. a photo whose w came from a GAN inversion);
    /// null: the teacher's image of w.
    /// </param>
    public Gan2ShapeInstance(Gan2ShapeConfig config, StyleGenerator teacher, Tensor w, PerceptualLoss? perceptual, ulong sampleSeed, PixelBox? box = null,
        Gan2ShapeWeights? start = null, Tensor? target = null)
    {
        if (config.Problem() is { } problem) throw new Gan2ShapeException("config", problem);
        if (teacher.Config.Size != config.ImageSize)
            throw new Gan2ShapeException("teacher", $"renders {teacher.Config.Size} px images; the config is for {config.ImageSize} px");
        if (w.dim() != 2 || w.shape[0] < 1 || w.shape[1] != teacher.Config.StyleDim)
            throw new Gan2ShapeException("w", $"expected N x {teacher.Config.StyleDim} (N ≥ 1), got [{string.Join(", ", w.shape)}]");
        if (!w.isfinite().all().item<bool>()) throw new Gan2ShapeException("w", "is not finite");
        if (w.shape[0] > 1 && config.CollectIterations < w.shape[0])
            throw new Gan2ShapeException("collect iterations", $"{config.CollectIterations}: joint training needs at least one per image ({w.shape[0]})");
        if (target is not null && (w.shape[0] != 1 || target.dim() != 4 || target.shape[0] != 1 || target.shape[1] != 3
                                   || target.shape[2] != config.ImageSize || target.shape[3] != config.ImageSize))
            throw new Gan2ShapeException("target", $"expected one 1 x 3 x {config.ImageSize} x {config.ImageSize} image for one w, got [{string.Join(", ", target.shape)}] for {w.shape[0]}");
        if (target is not null && !target.isfinite().all().item<bool>()) throw new Gan2ShapeException("target", "is not finite");
        if (perceptual is null && (config.PerceptualWeight > 0 || config.ProjectionFeatureWeight > 0))
            throw new Gan2ShapeException("perceptual network", "needed when the perceptual or projection feature weight is above 0");
        Config = config;
        Perceptual = perceptual;
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        Projection = new LatentProjection(teacher, config.MappingDepth);
        Model = new Unsup3dModel(config.ModelConfig);
        Encoder = SeededInit.Apply(new LatentEncoder(config.ImageSize, teacher.Config.StyleDim, config.LatentEncoderChannels), config.Seed + 1);
        if (start is not null)
        {
            try { start.ApplyTo(config, Model, Encoder); }
            catch { Model.Dispose(); Encoder.Dispose(); Projection.Dispose(); throw; }
            StartedFrom = start.Origin;
        }
        Model.Train(true);
        for (long i = 0; i < w.shape[0]; i++)
        {
            var style = w.narrow(0, i, 1).detach().clone().DetachFromDisposeScope();
            _styles.Add(style);
            using (no_grad()) _images.Add((target is null ? Projection.Generate(style) : target.detach().clamp(-1, 1).clone()).DetachFromDisposeScope());
        }
        _projected = Enumerable.Range(0, _styles.Count).Select(_ => new List<Tensor>()).ToArray();
        _projectedMasks = Enumerable.Range(0, _styles.Count).Select(_ => new List<Tensor>()).ToArray();
        Box = box ?? PixelBox.WholeImage(config.ImageSize).FaceAdjusted(config.ImageSize);
        Prior = EllipsoidPrior.DepthMap(config.ImageSize, Box, config.PriorNear, config.PriorFar, config.PriorRadius).DetachFromDisposeScope();
        _random = new Generator(sampleSeed);
    }

    public Gan2ShapeConfig Config { get; }
    public Unsup3dModel Model { get; }
    public LatentEncoder Encoder { get; }
    public LatentProjection Projection { get; }
    public PerceptualLoss? Perceptual { get; }

    /// <summary>The pre-training the networks started from ("NAME sha256:HEX"), or null for fresh networks.</summary>
    public string? StartedFrom { get; }

    /// <summary>Images fitted together (1 for a per-image fit).</summary>
    public int Count => _styles.Count;

    /// <summary>Index of the current image: the one the last iteration used (0 for a per-image fit).</summary>
    public int Current { get; private set; }

    /// <summary>The current sample's style w (1×D) and its image: G(w) (1×3×S×S, stored noise, clamped) or the given target.</summary>
    public Tensor Style => _styles[Current];
    public Tensor Image => _images[Current];

    /// <summary>Makes image <paramref name="index"/> the current one (for its outputs).</summary>
    public void Select(int index)
    {
        if (index < 0 || index >= Count) throw new Gan2ShapeException("image index", $"{index}: there are {Count} images");
        Current = index;
    }

    /// <summary>The generator of all randomness (its state is what a joint training's checkpoint keeps).</summary>
    internal Generator Random => _random;

    /// <summary>The object box and the ellipsoid prior depth S×S placed on it.</summary>
    public PixelBox Box { get; }
    public Tensor Prior { get; }

    /// <summary>Every logged loss so far, in order.</summary>
    public IReadOnlyList<Gan2ShapeLoss> History => _history;

    /// <summary>Projected samples stored by the last <see cref="Collect"/>, over all images.</summary>
    public int CollectedCount => _projected.Sum(list => list.Sum(p => (int)p.shape[0]));

    /// <summary>Projected samples stored for image <paramref name="index"/>.</summary>
    public int CollectedFor(int index) => _projected[index].Sum(p => (int)p.shape[0]);

    /// <summary>Restarts the image order: a new shuffled cycle (none drawn for a single image).</summary>
    void RestartCycle() => _cycle.Clear();

    /// <summary>Makes the next image of the shuffled cycle current and returns it (always 0 for a single image).</summary>
    int Advance()
    {
        if (Count == 1) return Current = 0;
        if (_cycle.Count == 0)
        {
            using var order = randperm(Count, generator: _random);
            foreach (var i in order.data<long>()) _cycle.Enqueue((int)i);
        }
        return Current = _cycle.Dequeue();
    }

    /// <summary>
    /// The whole schedule: the prior fit (fresh networks only), then each stage's steps 1, 2, collect and 3. Reports
    /// "stage/step" to <paramref name="progress"/>.
    /// </summary>
    public IReadOnlyList<Gan2ShapeLoss> Run(Action<string>? progress = null)
    {
        if (StartedFrom is null)
        {
            progress?.Invoke("prior");
            FitPrior(Config.PriorSteps);
        }
        for (int stage = 0; stage < Config.Stages; stage++) RunStage(stage, progress);
        Select(0);
        return _history;
    }

    /// <summary>One stage (0-based): step 1, step 2, collect, step 3.</summary>
    public void RunStage(int stage, Action<string>? progress = null)
    {
        if (stage < 0 || stage >= Config.Stages) throw new Gan2ShapeException("stage", $"{stage}: the config has {Config.Stages}");
        var (s1, s2, s3) = Config.Iterations(stage);
        progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 1");
        Step1(s1, Config.FlipStep1[stage], stage);
        progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 2");
        Step2(s2, stage);
        Collect(Config.CollectIterations);
        progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 3");
        Step3(s3, Config.FlipStep3[stage], stage);
    }

    /// <summary>
    /// Fits the depth network to the ellipsoid prior: Adam steps on the mean squared error between its canonical depth
    /// of the first image (before the border columns are set) and the prior, over the columns the border does not
    /// overwrite (joint training: once, with the first image, as the official code).
    /// </summary>
    public IReadOnlyList<double> FitPrior(int steps)
    {
        var losses = new List<double>();
        if (steps == 0) return losses;
        Select(0);
        using var adam = NewAdam(Model.Depth.parameters());
        int s = Config.ImageSize;
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var depth = Model.CanonicalDepth(Image);
            var loss = (depth[.., .., 2..(s - 2)] - Prior[.., 2..(s - 2)].unsqueeze(0)).square().mean();
            losses.Add(Apply(adam, loss, -1, "prior", i));
        }
        return losses;
    }

    /// <summary>Step 1: the albedo network alone reconstructs the image (depth, light and view held); smoothness of depth and shading.</summary>
    public IReadOnlyList<double> Step1(int iterations, bool flip, int stage = 0)
    {
        var losses = new List<double>();
        if (iterations == 0) return losses;
        using var adam = NewAdam(Model.Albedo.parameters());
        RestartCycle();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            Advance();
            using var d = DecomposeImage(trainAll: false);
            var loss = ImageLoss(d, flip);
            losses.Add(Apply(adam, loss, stage, "step1", i));
        }
        return losses;
    }

    /// <summary>
    /// Step 2: the latent encoder learns to project pseudo samples (drawn fresh each iteration from the image's depth and
    /// albedo as they stood when the step began) onto the teacher's images: masked L1 + feature term + λ_reg·mean(Δw²).
    /// </summary>
    public IReadOnlyList<double> Step2(int iterations, int stage = 0)
    {
        var losses = new List<double>();
        if (iterations == 0) return losses;
        using var adam = NewAdam(Encoder.parameters());
        ForEachPseudoBatch(iterations, (i, _, pseudo) =>
        {
            var (projected, offset) = Project(pseudo.Images);
            losses.Add(Apply(adam, ProjectionLoss(projected, offset, pseudo), stage, "step2", i));
        });
        return losses;
    }

    /// <summary>
    /// <paramref name="iterations"/> pseudo batches, each of the next image of a fresh shuffled cycle, drawn from every
    /// image's decomposition as it stood at the start (each call of <paramref name="body"/> in its own dispose scope).
    /// </summary>
    void ForEachPseudoBatch(int iterations, Action<int, int, PseudoBatch> body)
    {
        var decompositions = Decompositions();
        try
        {
            RestartCycle();
            for (int i = 0; i < iterations; i++)
            {
                using var scope = NewDisposeScope();
                int t = Advance();
                using var pseudo = PseudoSamples.Render(Model, Config, decompositions[t], Config.BatchSize, _random);
                body(i, t, pseudo);
            }
        }
        finally { foreach (var d in decompositions) d.Dispose(); }
    }

    /// <summary>Every image's current decomposition (no gradients), in image order.</summary>
    List<Unsup3dDecomposition> Decompositions()
    {
        var all = new List<Unsup3dDecomposition>(Count);
        int current = Current;
        try
        {
            for (int i = 0; i < Count; i++)
            {
                Current = i;
                all.Add(CurrentDecomposition());
            }
        }
        catch { foreach (var d in all) d.Dispose(); throw; }
        finally { Current = current; }
        return all;
    }

    /// <summary>The step-2 loss of projections against their pseudo samples.</summary>
    Tensor ProjectionLoss(Tensor projected, Tensor offset, PseudoBatch pseudo)
    {
        using var scope = NewDisposeScope();
        var loss = Gan2ShapeLosses.MaskedL1(projected, pseudo.Images, pseudo.Mask);
        if (Config.ProjectionFeatureWeight > 0)
            loss = loss + Config.ProjectionFeatureWeight * Perceptual!.Compute(projected * pseudo.Mask, pseudo.Images * pseudo.Mask);
        return (loss + Config.OffsetWeight * offset.square().mean()).MoveToOuterDisposeScope();
    }

    /// <summary>The projections G(w + Δw) of images and their offsets Δw (E relative to the image's own encoding when relative_enc).</summary>
    public (Tensor Image, Tensor Offset) Project(Tensor images)
    {
        using var scope = NewDisposeScope();
        var e = Encoder.forward(images);
        if (Config.RelativeEncoding) e = e - Encoder.forward(Image);
        var (image, offset) = Projection.Project(e, Style);
        return (image.MoveToOuterDisposeScope(), offset.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Replaces the stored projections by those of <paramref name="iterations"/> fresh pseudo batches (no gradients),
    /// each of the current image in the shuffled cycle and stored with it.
    /// </summary>
    public void Collect(int iterations)
    {
        if (iterations < 1) throw new Gan2ShapeException("collect iterations", $"{iterations}: must be at least 1");
        if (iterations < Count) throw new Gan2ShapeException("collect iterations", $"{iterations}: need at least one per image ({Count})");
        ClearCollected();
        using var noGrad = no_grad();
        ForEachPseudoBatch(iterations, (_, t, pseudo) =>
        {
            var (projected, _) = Project(pseudo.Images);
            _projected[t].Add(projected.DetachFromDisposeScope());
            _projectedMasks[t].Add(pseudo.Mask.alias().DetachFromDisposeScope());
        });
    }

    /// <summary>
    /// Step 3: depth, albedo, light and view reconstruct the image (the step-1 terms) and a batch of stored projections
    /// with the image's depth and albedo and each projection's own light and view, masked by the pseudo samples' masks.
    /// </summary>
    public IReadOnlyList<double> Step3(int iterations, bool flip, int stage = 0)
    {
        var losses = new List<double>();
        if (iterations == 0) return losses;
        if (_projected.Any(list => list.Count == 0)) throw new Gan2ShapeException("step 3", "no projected samples: collect them first (step 2)");
        var all = _projected.Select(list => cat(list, 0).DetachFromDisposeScope()).ToList();
        var allMasks = _projectedMasks.Select(list => cat(list, 0).DetachFromDisposeScope()).ToList();
        try
        {
            using var adam = NewAdam(Model.Parameters());
            int b = Config.BatchSize;
            RestartCycle();
            for (int i = 0; i < iterations; i++)
            {
                using var scope = NewDisposeScope();
                int t = Advance();
                var pick = randint(all[t].shape[0], [b], generator: _random);
                var target = all[t].index_select(0, pick);
                var targetMask = allMasks[t].index_select(0, pick);
            using var d = DecomposeImage(trainAll: true);
            using var projected = new Unsup3dDecomposition(d.Depth.expand(b, -1, -1), d.Albedo.expand(b, -1, -1, -1),
                Model.Light.forward(target), Model.PredictView(target));
                var loss = ImageLoss(d, flip) + Gan2ShapeLosses.Reconstruction(Model, projected, target, Perceptual, Config.PerceptualWeight, flip, targetMask);
                losses.Add(Apply(adam, loss, stage, "step3", i));
            }
        }
        finally { foreach (var t in all.Concat(allMasks)) t.Dispose(); }
        return losses;
    }

    /// <summary>The reconstruction of the image by its own decomposition plus λ_smooth·(smoothness of depth and diffuse shading).</summary>
    Tensor ImageLoss(Unsup3dDecomposition d, bool flip)
    {
        using var scope = NewDisposeScope();
        var loss = Gan2ShapeLosses.Reconstruction(Model, d, Image, Perceptual, Config.PerceptualWeight, flip);
        if (Config.SmoothWeight > 0) loss = loss + Config.SmoothWeight * Gan2ShapeLosses.ShapeSmoothness(Model, d);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The image's decomposition; without <paramref name="trainAll"/> only the albedo keeps its graph (step 1).</summary>
    Unsup3dDecomposition DecomposeImage(bool trainAll)
    {
        if (trainAll) return Model.Decompose(Image);
        using var scope = NewDisposeScope();
        Tensor depth, light, view;
        using (no_grad())
        {
            depth = Model.Renderer.ClampBorder(Model.CanonicalDepth(Image));
            light = Model.Light.forward(Image);
            view = Model.PredictView(Image);
        }
        var albedo = Model.Albedo.forward(Image).tanh();
        return new Unsup3dDecomposition(depth.MoveToOuterDisposeScope(), albedo.MoveToOuterDisposeScope(), light.MoveToOuterDisposeScope(),
            view.MoveToOuterDisposeScope());
    }

    /// <summary>The image's current decomposition without gradients (canonical depth, albedo, light, view; batch 1).</summary>
    public Unsup3dDecomposition CurrentDecomposition()
    {
        using var noGrad = no_grad();
        return Model.Decompose(Image);
    }

    AdamOptimizer NewAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters) =>
        new(parameters.ToList(), Config.LearningRate, 0.9, 0.999, 1e-8, Config.WeightDecay);

    /// <summary>Backward and Adam step after finite checks; logs and returns the loss.</summary>
    double Apply(AdamOptimizer adam, Tensor loss, int stage, string step, int iteration)
    {
        double value = loss.item<float>();
        if (!double.IsFinite(value)) throw new Gan2ShapeDivergedException(_history.Count, $"the {step} loss");
        adam.ZeroGrad();
        loss.backward();
        foreach (var p in Model.Parameters().Concat(Encoder.parameters()))
            if (p.grad is { } grad && !grad.isfinite().all().item<bool>())
                throw new Gan2ShapeDivergedException(_history.Count, $"a {step} gradient");
        adam.Step();
        _history.Add(new Gan2ShapeLoss(stage, step, iteration, value));
        return value;
    }

    void ClearCollected()
    {
        foreach (var list in _projected.Concat(_projectedMasks))
        {
            foreach (var t in list) t.Dispose();
            list.Clear();
        }
    }

    public void Dispose()
    {
        ClearCollected();
        Model.Dispose();
        Encoder.Dispose();
        Projection.Dispose();
        foreach (var t in _styles.Concat(_images)) t.Dispose();
        Prior.Dispose();
        _random.Dispose();
    }
}
