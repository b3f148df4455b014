using LiftedGan.Data;
using LiftedGan.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// One StyleGAN2 training run in memory: G, D, g_ema, both Adams (with the lazy-regularisation correction) and the
/// path-length mean. Every step draws all of its randomness (data, latents, mixing, noise, augmentation) from a
/// generator seeded by (run seed, step index), so a resumed run continues exactly as an uninterrupted one.
/// </summary>
public sealed class StyleGanTrainer : ITrainable, IDisposable
{
    readonly IImageSource _source;
    double _lastR1, _lastPath;

    /// <summary>A fresh run: networks initialised from the run seed.</summary>
    public StyleGanTrainer(TrainOptions options, IImageSource source)
    {
        options.Validate();
        if (source.Resolution != options.Generator.Size)
            throw new StyleGanException($"data: images are {source.Resolution} px but the model is {options.Generator.Size} px");
        Options = options;
        _source = source;
        var device = Torch.TorchRuntime.Device;
        using (var init = new Generator(options.Seed))
        {
            G = new StyleGenerator(options.Generator, init);
            D = new StyleDiscriminator(options.Discriminator, init);
        }
        GEma = new StyleGenerator(options.Generator);
        GEma.load_state_dict(G.state_dict());
        G.to(device); D.to(device); GEma.to(device);
        GEma.eval();
        foreach (var p in GEma.parameters()) p.requires_grad = false;
        // World fit has no lazy regularisation, so no lr/β correction for it.
        GOptim = AdamOptimizer.ForLazyRegularisation(G.parameters(), options.Lr,
            options.Objective == TrainObjective.WorldFit ? 0 : options.GRegEvery, options.Beta1);
        DOptim = AdamOptimizer.ForLazyRegularisation(D.parameters(), options.Lr, options.DRegEvery, options.Beta1);
    }

    public TrainOptions Options { get; }
    public StyleGenerator G { get; }
    public StyleGenerator GEma { get; }
    public StyleDiscriminator D { get; }
    public AdamOptimizer GOptim { get; }
    public AdamOptimizer DOptim { get; }

    /// <summary>Completed steps.</summary>
    public long Iteration { get; set; }

    /// <summary>True when the run was resumed from a resumable pack: Adam's moments started afresh.</summary>
    public bool OptimizerRestarted { get; set; }

    /// <summary>Running mean of the path lengths (the path-length target).</summary>
    public double MeanPathLength { get; set; }

    /// <summary>Each step's randomness: a generator seeded by (run seed, step index).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => StepRandomness.GoldenSeed(Options.Seed, i));

    long ITrainable.StepsDone => Iteration;

    /// <summary>The scalars of the last step (null before the first).</summary>
    public TrainStepResult? LastResult { get; private set; }

    /// <summary>Runs the next step with its own randomness (as <see cref="TrainingLoop"/> does).</summary>
    public TrainStepResult Step() => Randomness.Run(Iteration, Step);

    /// <summary>The step's scalars under their TensorBoard tags.</summary>
    IReadOnlyDictionary<string, double> ITrainable.Step(Generator rng)
    {
        var r = Step(rng);
        return new Dictionary<string, double>
        {
            ["loss/d"] = r.DLoss, ["loss/g"] = r.GLoss, ["loss/r1"] = r.R1, ["loss/path"] = r.PathLoss,
            ["path/mean_length"] = r.MeanPathLength, ["score/real"] = r.RealScore, ["score/fake"] = r.FakeScore,
        };
    }

    /// <summary>Runs one D step (+ lazy R1), one G step (+ lazy path regularisation) and the EMA update, drawing from <paramref name="rng"/>.</summary>
    public TrainStepResult Step(Generator rng)
    {
        Profile?.Begin();
        try { return LastResult = Options.Objective == TrainObjective.WorldFit ? WorldFitStep(rng) : AdversarialStep(rng); }
        finally { Profile?.End(); }
    }

    /// <summary>Set by a benchmark: the wall time of each part of every step (`bench train`); null in training.</summary>
    public StepProfile? Profile { get; set; }

    TrainStepResult AdversarialStep(Generator rng)
    {
        using var scope = NewDisposeScope();
        var o = Options;
        long i = Iteration;
        int b = o.Batch;
        var device = Torch.TorchRuntime.Device;
        var real = _source.Next(b, rng).to(device);
        Profile?.Lap("data (real batch)");

        SetRequiresGrad(G, false);
        SetRequiresGrad(D, true);
        Tensor fake;
        using (no_grad()) fake = G.Generate(MixingStyles(b, rng), new GenerateOptions { Rng = rng }).Image;
        Profile?.Lap("D step: G forward (no grad)");
        var augmentedFake = Augment(fake, rng);
        var augmentedReal = Augment(real, rng);
        Profile?.Lap("D step: augment");
        var fakePred = D.forward(augmentedFake);
        var realPred = D.forward(augmentedReal);
        var dLoss = nn.functional.softplus(-realPred).mean() + nn.functional.softplus(fakePred).mean();
        Profile?.Lap("D step: D forward (fake, real)");
        DOptim.ZeroGrad();
        dLoss.backward();
        Profile?.Lap("D step: D backward");
        DOptim.Step();
        Profile?.Lap("D step: optimiser");

        if (i % o.DRegEvery == 0)
        {
            var realLeaf = real.detach().requires_grad_(true);
            var pred = D.forward(Augment(realLeaf, rng));
            var grad = autograd.grad([pred.sum()], [realLeaf], create_graph: true, retain_graph: true)[0];
            var r1 = grad.square().reshape(b, -1).sum(1).mean();
            DOptim.ZeroGrad();
            (r1 * (o.R1 / 2 * o.DRegEvery)).backward();
            DOptim.Step();
            _lastR1 = r1.item<float>();
            Profile?.Lap($"R1 (lazy, every {o.DRegEvery})");
        }

        SetRequiresGrad(G, true);
        SetRequiresGrad(D, false);
        var fake2 = G.Generate(MixingStyles(b, rng), new GenerateOptions { Rng = rng }).Image;
        Profile?.Lap("G step: G forward");
        var gLoss = nn.functional.softplus(-D.forward(Augment(fake2, rng))).mean();
        Profile?.Lap("G step: augment, D forward");
        GOptim.ZeroGrad();
        gLoss.backward();
        Profile?.Lap("G step: backward (D, G)");
        GOptim.Step();
        Profile?.Lap("G step: optimiser");

        if (i % o.GRegEvery == 0 && o.PathRegularize > 0)
        {
            int pb = Math.Max(1, b / o.PathBatchShrink);
            var output = G.Generate(MixingStyles(pb, rng), new GenerateOptions { Rng = rng });
            var img = output.Image;
            var noise = randn(img.shape, dtype: img.dtype, device: img.device, generator: rng) / Math.Sqrt(img.shape[2] * img.shape[3]);
            var grad = autograd.grad([(img * noise).sum()], [output.Latent], create_graph: true, retain_graph: true)[0];
            var lengths = grad.square().sum(2).mean([1]).sqrt();
            var pathMean = MeanPathLength + o.PathDecay * (lengths.mean().item<float>() - MeanPathLength);
            var pathLoss = (lengths - pathMean).square().mean();
            GOptim.ZeroGrad();
            (pathLoss * (o.PathRegularize * o.GRegEvery)).backward();
            GOptim.Step();
            MeanPathLength = pathMean;
            _lastPath = pathLoss.item<float>();
            Profile?.Lap($"path length (lazy, every {o.GRegEvery})");
        }
        SetRequiresGrad(D, true);
        UpdateEma();
        Profile?.Lap("EMA update");
        Iteration++;
        return new TrainStepResult(i, dLoss.item<float>(), gLoss.item<float>(), _lastR1, _lastPath, MeanPathLength,
            realPred.mean().item<float>(), fakePred.mean().item<float>());
    }

    /// <summary>
    /// One world-fit step: z ~ N(0, I), target = the world's render of <see cref="Synthetic.LatentFaces"/>(z), loss =
    /// mean L1 at full, half and quarter resolution (the coarse terms weigh shape and shading against texture), noise
    /// maps zero; then the EMA update. The discriminator is kept (untrained) so that the checkpoint layout stays the official one and
    /// an adversarial phase can follow.
    /// </summary>
    TrainStepResult WorldFitStep(Generator rng)
    {
        using var scope = NewDisposeScope();
        long i = Iteration;
        var device = Torch.TorchRuntime.Device;
        var z = randn([Options.Batch, Options.Generator.StyleDim], generator: rng);
        Tensor target;
        using (var truth = Synthetic.LatentFaces.Truth(z, Options.Generator.Size)) target = truth.Images.to(device).detach().clone();
        Profile?.Lap("data (world render of map(z))");
        SetRequiresGrad(G, true);
        // Zero noise maps: the target is a deterministic function of z, and random noise would only drive a random
        // walk of the noise strengths (their gradient has mean 0), leaving samples noisy under fresh noise. With zero
        // maps the strengths get no gradient and stay 0, so samples do not depend on the noise at all.
        var zeroNoise = Enumerable.Range(0, G.NumLayers).Select(l => zeros_like(G.StoredNoise(l))).ToList();
        var image = G.Generate([z.to(device)], new GenerateOptions { Rng = rng, Noise = zeroNoise }).Image;
        var loss = WorldFitLoss(image, target);
        Profile?.Lap("G forward, loss");
        GOptim.ZeroGrad();
        loss.backward();
        Profile?.Lap("G backward");
        GOptim.Step();
        Profile?.Lap("optimiser");
        UpdateEma();
        Profile?.Lap("EMA update");
        Iteration++;
        return new TrainStepResult(i, 0, loss.item<float>(), 0, 0, 0, 0, 0);
    }

    /// <summary>Mean L1 between <paramref name="image"/> and <paramref name="target"/> at full, half and quarter resolution.</summary>
    public static Tensor WorldFitLoss(Tensor image, Tensor target)
    {
        using var scope = NewDisposeScope();
        var loss = (image - target).abs().mean();
        Tensor a = image, b = target;
        for (int level = 0; level < 2; level++)
        {
            a = nn.functional.avg_pool2d(a, 2);
            b = nn.functional.avg_pool2d(b, 2);
            loss = loss + (a - b).abs().mean();
        }
        return (loss / 3).MoveToOuterDisposeScope();
    }

    /// <summary>g_ema samples for fixed latents (stored noise), (n, 3, S, S).</summary>
    public Tensor Sample(int n, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(seed);
        using var _ = no_grad();
        var z = randn([n, Options.Generator.StyleDim], generator: g).to(Torch.TorchRuntime.Device);
        return GEma.Generate([z], new GenerateOptions { RandomizeNoise = false }).Image.MoveToOuterDisposeScope();
    }

    List<Tensor> MixingStyles(int n, Generator rng)
    {
        var device = Torch.TorchRuntime.Device;
        int count = Options.Mixing > 0 && rand([1], generator: rng).item<float>() < Options.Mixing ? 2 : 1;
        return Enumerable.Range(0, count)
            .Select(_ => randn([n, Options.Generator.StyleDim], generator: rng).to(device)).ToList();
    }

    Tensor Augment(Tensor x, Generator rng) => Options.Augment ? DiffAugment.Apply(x, rng) : x;

    void UpdateEma()
    {
        using var _ = no_grad();
        double decay = Options.EmaDecay;
        foreach (var (pe, p) in GEma.parameters().Zip(G.parameters()))
            pe.mul_(decay).add_(p.detach(), alpha: 1 - decay);
    }

    static void SetRequiresGrad(nn.Module m, bool on)
    {
        foreach (var p in m.parameters()) p.requires_grad = on;
    }

    public void Dispose()
    {
        G.Dispose(); GEma.Dispose(); D.Dispose(); GOptim.Dispose(); DOptim.Dispose();
    }
}
