using LiftedGan.Checkpoints;
using LiftedGan.Data;
using LiftedGan.Lifting;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>An Unsup3d step produced a non-finite loss or gradient; nothing was applied.</summary>
public sealed class Unsup3dDivergedException(long step, string what) : TrainingDivergedException(step, what, "the step was not applied");

/// <summary>
/// Unsup3d's training step (§2.1): a batch from the image source, its decomposition, the render into the predicted view
/// plain and with depth and albedo mirrored, and the loss
/// L1(recon) + λ_flip·L1(recon_flip) + λ_perc·(Perc(recon) + λ_flip·Perc(recon_flip)), every term averaged over the
/// product of the two renders' masks. With confidence, the pixel term is the Laplacian NLL √2·|Δ|/σ + ln σ and the
/// perceptual term the Gaussian NLL Δ²/(2σ²) + ln σ of VGG16 relu3_3 features (σ from the confidence network, channel
/// 0 for the plain render, 1 for the mirrored one). Adam (β 0.9/0.999, coupled weight decay). Step k draws from a
/// generator seeded with (seed, k), so a resumed run repeats an uninterrupted one exactly.
/// </summary>
public sealed class Unsup3dTrainer : ITrainable, IDisposable
{
    const double Eps = 1e-7;
    readonly AdamOptimizer _adam;
    readonly List<TorchSharp.Modules.Parameter> _trainable;

    /// <summary>
    /// A trainer of <paramref name="model"/> on <paramref name="source"/> (images of the model's size).
    /// <paramref name="perceptual"/> may be null only with a perceptual weight of 0; it must compare VGG16 relu3_3 alone
    /// (<see cref="PerceptualNetwork"/>).
    /// </summary>
    public Unsup3dTrainer(Unsup3dModel model, IImageSource source, PerceptualLoss? perceptual)
    {
        if (perceptual is null && model.Config.PerceptualWeight > 0)
            throw new ArgumentNullException(nameof(perceptual), "a perceptual weight above 0 needs the perceptual network");
        if (source.Resolution is int r && r != model.Config.ImageSize)
            throw new Unsup3dException(source.Describe(), $"gives {r} px images; the model takes {model.Config.ImageSize} px");
        Model = model;
        Source = source;
        Perceptual = perceptual;
        _trainable = model.Parameters().ToList();
        _adam = new AdamOptimizer(_trainable, model.Config.LearningRate, 0.9, 0.999, 1e-8, model.Config.WeightDecay);
        model.Train(true);
    }

    /// <summary>Unsup3d's perceptual network: VGG16 relu3_3 only, one scale, squared differences.</summary>
    public static PerceptualLoss PerceptualNetwork(Vgg16Features vgg) => new(vgg, PerceptualDistance.L2, scales: 1, slices: [2]);

    public Unsup3dModel Model { get; }
    public IImageSource Source { get; }
    public PerceptualLoss? Perceptual { get; }
    public Unsup3dConfig Config => Model.Config;
    public long GlobalStep { get; private set; }

    /// <summary>Wall-clock seconds spent in training steps, this run's and the resumed checkpoint's (stored in checkpoints).</summary>
    public double TrainSeconds { get; private set; }
    long ITrainable.StepsDone => GlobalStep;

    /// <summary>
    /// The checkpoint this run's networks started from (its file name and SHA-256; <see cref="StartFrom"/>), or null for
    /// a run from fresh networks. Kept in every checkpoint and restored on resume.
    /// </summary>
    public string? InitialisedFrom { get; private set; }

    /// <summary>Each step's randomness: a generator seeded by (seed, step index).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => StepRandomness.GoldenSeed((ulong)Config.Seed, i));

    /// <summary>One optimisation step with its own randomness; returns the weighted loss terms and their total.</summary>
    public IReadOnlyDictionary<string, double> Step() => Randomness.Run(GlobalStep, Step);

    /// <summary>One optimisation step on a batch drawn from <paramref name="g"/>.</summary>
    public IReadOnlyDictionary<string, double> Step(Generator g)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        Tensor input;
        using (no_grad()) input = Source.Next(Config.BatchSize, g).clamp(-1, 1);
        if (!input.isfinite().all().item<bool>()) throw new Unsup3dDivergedException(GlobalStep, "the input images");
        var losses = new Dictionary<string, double>();
        var total = Loss(input, losses);
        if (!double.IsFinite(losses["total"])) throw new Unsup3dDivergedException(GlobalStep, "the loss");
        _adam.ZeroGrad();
        total.backward();
        foreach (var p in _trainable)
            if (p.grad is { } grad && !grad.isfinite().all().item<bool>())
                throw new Unsup3dDivergedException(GlobalStep, "a gradient");
        _adam.Step();
        GlobalStep++;
        TrainSeconds += clock.Elapsed.TotalSeconds;
        return losses;
    }

    /// <summary>The weighted loss of a batch (with gradients); its terms and total as numbers in <paramref name="losses"/>.</summary>
    public Tensor Loss(Tensor input, Dictionary<string, double> losses)
    {
        var c = Config;
        using var scope = NewDisposeScope();
        using var d = Model.Decompose(input);
        using var main = Model.Render(d);
        using var flip = Model.Render(d, flipped: true);
        var mask = (main.Render.Mask * flip.Render.Mask).detach();
        Tensor? pixelSigma = null, perceptualSigma = null;
        if (Model.Confidence is not null) (pixelSigma, perceptualSigma) = Model.Confidence.forward(input);
        static Tensor? Sigma(Tensor? sigma, int channel) => sigma is null ? null : sigma[.., channel..(channel + 1)];

        var terms = new List<(string Name, Tensor Value)>
        {
            ("l1", Photometric(main.Render.Image, input, mask, Sigma(pixelSigma, 0))),
            ("l1_flip", c.FlipWeight * Photometric(flip.Render.Image, input, mask, Sigma(pixelSigma, 1))),
        };
        if (c.PerceptualWeight > 0)
        {
            using var target = Perceptual!.Features(input);
            terms.Add(("perceptual", c.PerceptualWeight * PerceptualTerm(main.Render.Image, target, mask, Sigma(perceptualSigma, 0))));
            terms.Add(("perceptual_flip", c.PerceptualWeight * c.FlipWeight * PerceptualTerm(flip.Render.Image, target, mask, Sigma(perceptualSigma, 1))));
        }
        var total = terms.Select(t => t.Value).Aggregate((a, b) => a + b);
        foreach (var (name, value) in terms) losses[name] = value.item<float>();
        losses["total"] = total.item<float>();
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>Pixel term: masked mean of |Δ| (no confidence) or of the Laplacian NLL √2·|Δ|/σ + ln σ.</summary>
    static Tensor Photometric(Tensor image, Tensor target, Tensor mask, Tensor? sigma)
    {
        using var scope = NewDisposeScope();
        var loss = (image - target).abs();
        if (sigma is not null) loss = loss * Math.Sqrt(2) / (sigma + Eps) + (sigma + Eps).log();
        return MaskedMean(loss, mask).MoveToOuterDisposeScope();
    }

    /// <summary>Perceptual term on relu3_3: masked mean of Δ² (no confidence) or of the Gaussian NLL Δ²/(2σ²) + ln σ.</summary>
    Tensor PerceptualTerm(Tensor image, PerceptualFeatures target, Tensor mask, Tensor? sigma)
    {
        using var scope = NewDisposeScope();
        var features = Perceptual!.Maps(image)[0];
        var loss = (features - target.Maps[0]).pow(2);
        if (sigma is not null) loss = loss / (2 * sigma.pow(2) + Eps) + (sigma + Eps).log();
        long k = mask.shape[2] / loss.shape[2];
        var m = k == 1 ? mask : nn.functional.avg_pool2d(mask, k, k);
        return MaskedMean(loss, m).MoveToOuterDisposeScope();
    }

    /// <summary>Σ loss·m / Σ m with the mask broadcast over channels (0 when the mask is empty).</summary>
    static Tensor MaskedMean(Tensor loss, Tensor mask)
    {
        var m = mask.expand_as(loss);
        return (loss * m).sum() / m.sum().clamp_min(Eps);
    }

    /// <summary>Writes the checkpoint atomically: the networks, Adam's state, the step and the config (<see cref="Unsup3dCheckpoint"/>).</summary>
    public void SaveCheckpoint(string path)
    {
        var root = Unsup3dCheckpoint.ToCheckpoint(Model);
        root.Set("optimizer", AdamStateDict.Export(_adam));
        root.Set("global_step", GlobalStep);
        root.Set(Unsup3dCheckpoint.TrainSecondsKey, TrainSeconds);
        root.Set("data", Source.Describe());
        if (InitialisedFrom is not null) root.Set(Unsup3dCheckpoint.InitialisedFromKey, InitialisedFrom);
        TorchCheckpoint.Save(path, root);
    }

    /// <summary>Restores the networks (strictly), Adam's state and the step from a checkpoint this trainer wrote.</summary>
    public void Resume(string path)
    {
        var root = Unsup3dCheckpoint.LoadRoot(path);
        try
        {
            Unsup3dCheckpoint.LoadInto(Model, root, path);
            if (!root.TryGet("optimizer", out var opt) || opt is not PyDict optimizer || !root.TryGet("global_step", out var step) || step is not long done)
                throw new CheckpointFormatException(path, "holds no training state (optimizer, global_step) to resume from");
            AdamStateDict.Restore(_adam, optimizer, path, "optimizer");
            GlobalStep = done;
            TrainSeconds = root.TryGet(Unsup3dCheckpoint.TrainSecondsKey, out var t) && t is double seconds ? seconds : 0;
            InitialisedFrom = root.TryGet(Unsup3dCheckpoint.InitialisedFromKey, out var init) && init is string from ? from : null;
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>
    /// Starts a new run from another run's networks (a training or packed checkpoint of the same settings): the
    /// networks (strictly), the step count and training seconds carry over, so the run continues that model's schedule
    /// and cost; Adam starts afresh (a packed file holds no optimiser state). The file's name and SHA-256 are recorded.
    /// </summary>
    public void StartFrom(string path)
    {
        var root = Unsup3dCheckpoint.LoadRoot(path);
        try
        {
            Unsup3dCheckpoint.LoadInto(Model, root, path);
            GlobalStep = root.TryGet("global_step", out var step) && step is long done ? done : 0;
            TrainSeconds = root.TryGet(Unsup3dCheckpoint.TrainSecondsKey, out var t) && t is double seconds ? seconds : 0;
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
        InitialisedFrom = RunOrigin.Of(path);
    }

    public void Dispose() => _adam.Dispose();
}
