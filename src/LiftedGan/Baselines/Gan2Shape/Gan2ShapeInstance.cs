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
/// GAN2Shape on one teacher sample (Pan et al. 2021; spec related-systems §1), its latent w known exactly. The depth,
/// albedo, light and view networks are Unsup3d's (<see cref="Unsup3dModel"/>, no confidence network; its renderer and
/// depth conventions), freshly initialised from the config's seed (the official per-image weight reset), plus the
/// latent encoder E. The object box (default: the whole image with the official face adjustment, for want of the face
/// parser) places the ellipsoid prior the depth network is first fitted to. Then per stage: step 1 fits the albedo
/// network alone to the image; step 2 fits E so that the teacher's image of w + Δw (Δw through the mapping,
/// <see cref="LatentProjection"/>) reproduces pseudo samples (renders under random views and lights,
/// <see cref="PseudoSamples"/>), plus λ_reg·mean(Δw²); "collect" stores projections of fresh pseudo samples; step 3
/// fits depth, albedo, light and view to the image and to batches of stored projections (shared depth and albedo from
/// the image, each projection's own view and light). Every step gets a fresh Adam of the networks it trains. All
/// randomness comes from one generator seeded by the sample's seed.
/// </summary>
public sealed class Gan2ShapeInstance : IDisposable
{
    readonly Generator _random;
    readonly List<Tensor> _projected = [];
    readonly List<Tensor> _projectedMasks = [];
    readonly List<Gan2ShapeLoss> _history = [];

    /// <param name="config">The fit's settings (<see cref="Gan2ShapeConfig.Official"/> or <see cref="Gan2ShapeConfig.Cpu"/>).</param>
    /// <param name="teacher">The StyleGAN2 whose sample is reconstructed (its parameters are frozen here).</param>
    /// <param name="w">The sample's style, 1×D.</param>
    /// <param name="perceptual">The perceptual network (<see cref="Gan2ShapeLosses.Perceptual"/>); null only with λ_perc 0 and feature weight 0.</param>
    /// <param name="sampleSeed">Seed of this sample's pseudo samples and batches.</param>
    /// <param name="box">The object's box for the prior; null: the whole image, face-adjusted.</param>
    public Gan2ShapeInstance(Gan2ShapeConfig config, StyleGenerator teacher, Tensor w, PerceptualLoss? perceptual, ulong sampleSeed, PixelBox? box = null)
    {
        if (config.Problem() is { } problem) throw new Gan2ShapeException("config", problem);
        if (teacher.Config.Size != config.ImageSize)
            throw new Gan2ShapeException("teacher", $"renders {teacher.Config.Size} px images; the config is for {config.ImageSize} px");
        if (w.dim() != 2 || w.shape[0] != 1 || w.shape[1] != teacher.Config.StyleDim)
            throw new Gan2ShapeException("w", $"expected 1 x {teacher.Config.StyleDim}, got [{string.Join(", ", w.shape)}]");
        if (!w.isfinite().all().item<bool>()) throw new Gan2ShapeException("w", "is not finite");
        if (perceptual is null && (config.PerceptualWeight > 0 || config.ProjectionFeatureWeight > 0))
            throw new Gan2ShapeException("perceptual network", "needed when the perceptual or projection feature weight is above 0");
        Config = config;
        Perceptual = perceptual;
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        Projection = new LatentProjection(teacher, config.MappingDepth);
        Model = new Unsup3dModel(config.ModelConfig);
        Encoder = SeededInit.Apply(new LatentEncoder(config.ImageSize, teacher.Config.StyleDim, config.LatentEncoderChannels), config.Seed + 1);
        Model.Train(true);
        Style = w.detach().clone().DetachFromDisposeScope();
        using (no_grad()) Image = Projection.Generate(Style).DetachFromDisposeScope();
        Box = box ?? PixelBox.WholeImage(config.ImageSize).FaceAdjusted(config.ImageSize);
        Prior = EllipsoidPrior.DepthMap(config.ImageSize, Box, config.PriorNear, config.PriorFar, config.PriorRadius).DetachFromDisposeScope();
        _random = new Generator(sampleSeed);
    }

    public Gan2ShapeConfig Config { get; }
    public Unsup3dModel Model { get; }
    public LatentEncoder Encoder { get; }
    public LatentProjection Projection { get; }
    public PerceptualLoss? Perceptual { get; }

    /// <summary>The sample's style w (1×D) and its image G(w) (1×3×S×S, stored noise, clamped).</summary>
    public Tensor Style { get; }
    public Tensor Image { get; }

    /// <summary>The object box and the ellipsoid prior depth S×S placed on it.</summary>
    public PixelBox Box { get; }
    public Tensor Prior { get; }

    /// <summary>Every logged loss so far, in order.</summary>
    public IReadOnlyList<Gan2ShapeLoss> History => _history;

    /// <summary>Projected samples stored by the last <see cref="Collect"/>.</summary>
    public int CollectedCount => _projected.Sum(p => (int)p.shape[0]);

    /// <summary>The whole schedule: the prior fit, then each stage's steps 1, 2, collect and 3. Reports "stage/step" to <paramref name="progress"/>.</summary>
    public IReadOnlyList<Gan2ShapeLoss> Run(Action<string>? progress = null)
    {
        progress?.Invoke("prior");
        FitPrior(Config.PriorSteps);
        for (int stage = 0; stage < Config.Stages; stage++)
        {
            var (s1, s2, s3) = Config.Iterations(stage);
            progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 1");
            Step1(s1, Config.FlipStep1[stage], stage);
            progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 2");
            Step2(s2, stage);
            Collect(Config.CollectIterations);
            progress?.Invoke($"stage {stage + 1}/{Config.Stages} step 3");
            Step3(s3, Config.FlipStep3[stage], stage);
        }
        return _history;
    }

    /// <summary>
    /// Fits the depth network to the ellipsoid prior: Adam steps on the mean squared error between its canonical depth
    /// (before the border columns are set) and the prior, over the columns the border does not overwrite.
    /// </summary>
    public IReadOnlyList<double> FitPrior(int steps)
    {
        var losses = new List<double>();
        if (steps == 0) return losses;
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
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            using var d = DecomposeImage(trainAll: false);
            var loss = ImageLoss(d, flip);
            losses.Add(Apply(adam, loss, stage, "step1", i));
        }
        return losses;
    }

    /// <summary>
    /// Step 2: the latent encoder learns to project pseudo samples (drawn fresh each iteration from the current depth
    /// and albedo) onto the teacher's images: masked L1 + feature term + λ_reg·mean(Δw²).
    /// </summary>
    public IReadOnlyList<double> Step2(int iterations, int stage = 0)
    {
        var losses = new List<double>();
        if (iterations == 0) return losses;
        using var adam = NewAdam(Encoder.parameters());
        using var d = CurrentDecomposition();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            using var pseudo = PseudoSamples.Render(Model, Config, d, Config.BatchSize, _random);
            var (projected, offset) = Project(pseudo.Images);
            var loss = ProjectionLoss(projected, offset, pseudo);
            losses.Add(Apply(adam, loss, stage, "step2", i));
        }
        return losses;
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

    /// <summary>Replaces the stored projections by those of <paramref name="iterations"/> fresh pseudo batches (no gradients).</summary>
    public void Collect(int iterations)
    {
        if (iterations < 1) throw new Gan2ShapeException("collect iterations", $"{iterations}: must be at least 1");
        ClearCollected();
        using var noGrad = no_grad();
        using var d = CurrentDecomposition();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            using var pseudo = PseudoSamples.Render(Model, Config, d, Config.BatchSize, _random);
            var (projected, _) = Project(pseudo.Images);
            _projected.Add(projected.DetachFromDisposeScope());
            _projectedMasks.Add(pseudo.Mask.alias().DetachFromDisposeScope());
        }
    }

    /// <summary>
    /// Step 3: depth, albedo, light and view reconstruct the image (the step-1 terms) and a batch of stored projections
    /// with the image's depth and albedo and each projection's own light and view, masked by the pseudo samples' masks.
    /// </summary>
    public IReadOnlyList<double> Step3(int iterations, bool flip, int stage = 0)
    {
        var losses = new List<double>();
        if (iterations == 0) return losses;
        if (_projected.Count == 0) throw new Gan2ShapeException("step 3", "no projected samples: collect them first (step 2)");
        using var all = cat(_projected, 0);
        using var allMasks = cat(_projectedMasks, 0);
        using var adam = NewAdam(Model.Parameters());
        int b = Config.BatchSize;
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            var pick = randint(all.shape[0], [b], generator: _random);
            var target = all.index_select(0, pick);
            var targetMask = allMasks.index_select(0, pick);
            using var d = DecomposeImage(trainAll: true);
            using var projected = new Unsup3dDecomposition(d.Depth.expand(b, -1, -1), d.Albedo.expand(b, -1, -1, -1),
                Model.Light.forward(target), Model.PredictView(target));
            var loss = ImageLoss(d, flip) + Gan2ShapeLosses.Reconstruction(Model, projected, target, Perceptual, Config.PerceptualWeight, flip, targetMask);
            losses.Add(Apply(adam, loss, stage, "step3", i));
        }
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
        foreach (var t in _projected.Concat(_projectedMasks)) t.Dispose();
        _projected.Clear();
        _projectedMasks.Clear();
    }

    public void Dispose()
    {
        ClearCollected();
        Model.Dispose();
        Encoder.Dispose();
        Projection.Dispose();
        Style.Dispose();
        Image.Dispose();
        Prior.Dispose();
        _random.Dispose();
    }
}
