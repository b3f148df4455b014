using LiftedGan.Checkpoints;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>Settings of an identity-embedding training run on the procedural face world.</summary>
public sealed record IdentityTrainingOptions
{
    public int Identities { get; init; } = 400;
    public int ViewsPerIdentity { get; init; } = 8;
    public int HeldOutIdentities { get; init; } = 100;
    public int HeldOutViews { get; init; } = 4;
    public int Size { get; init; } = 64;
    public int Steps { get; init; } = 1500;
    public int Batch { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-3;
    public long Seed { get; init; } = 1;
    public long Width { get; init; } = 32;
    public long Dimension { get; init; } = 128;
    /// <summary>
    /// Train on photos instead of rendered identities: a folder with one subfolder per identity (`data lfw`'s train/);
    /// <see cref="Identities"/> and <see cref="ViewsPerIdentity"/> are then what the folder holds.
    /// </summary>
    public string? PhotoFolder { get; init; }
    /// <summary>The fewest photos an identity of <see cref="PhotoFolder"/> needs to be trained on.</summary>
    public int MinImages { get; init; } = 2;
    /// <summary>ArcFace's additive angular margin (radians).</summary>
    public double Margin { get; init; } = 0.5;
    /// <summary>
    /// Steps over which the margin rises linearly from 0 to <see cref="Margin"/> (0: the full margin from the first
    /// step). Measured on LFW (1,526 identities, 8,499 photos at 64 px): with the full margin from step 0 the loss sat
    /// at 12.5–13.4 from step 450 to 3,000 and the embedding folded into a narrow cone (same-person cosine 0.95,
    /// different 0.93; LFW pairs 73 %).
    /// </summary>
    public int MarginWarmupSteps { get; init; }
}

/// <summary>
/// How well an embedding separates identities on held-out faces (never seen in training). Different-identity pairs
/// outnumber same-identity ones about 100 to 1, so accuracy is balanced (the mean of the same- and different-pair
/// accuracies at the best cosine threshold): answering always "different" scores 0.5, as does chance. The ROC AUC (the
/// probability that a same pair is more similar than a different pair) needs no threshold; chance 0.5. Rank-1 chance is
/// the share of other images that show the same identity.
/// </summary>
public sealed record VerificationResult(double SameIdentityCosine, double DifferentIdentityCosine, double VerificationAccuracy, double Rank1Accuracy)
{
    public double Auc { get; init; }
    /// <summary>Share of same pairs above the cosine that only 0.1 % of different pairs exceed (TAR at FAR 1e-3).</summary>
    public double TarAtFar1e3 { get; init; }
    public double Rank1Chance { get; init; }
}

/// <summary>
/// Trains <see cref="IdentityEmbeddingNetwork"/> with ArcFace on rendered views (pose, light, expression, background
/// vary; identity fixed) of a pool of procedural identities, and measures verification on held-out identities.
/// </summary>
public static class IdentityEmbeddingTraining
{
    /// <summary>Renders <paramref name="views"/> images of each identity in [first, first + count): images and labels 0..count−1.</summary>
    public static (Tensor Images, Tensor Labels) RenderPool(long seed, int first, int count, int views, int size)
    {
        var images = new List<Tensor>();
        var labels = new List<long>();
        const int chunk = 64;
        var all = Enumerable.Range(0, count).SelectMany(i => Enumerable.Range(0, views).Select(j => (Label: i, Index: (long)(first + i) * views + j))).ToList();
        for (int at = 0; at < all.Count; at += chunk)
        {
            var part = all.Skip(at).Take(chunk).ToList();
            var draws = part.Select(p => FaceDraw.Create(seed, p.Index, views)).ToList();
            using var batch = FaceWorld.Render(draws, size);
            draws.ForEach(d => d.Dispose());
            images.Add(batch.Images.detach().clone());
            labels.AddRange(part.Select(p => (long)p.Label));
        }
        var x = cat(images, 0);
        images.ForEach(t => t.Dispose());
        return (x, tensor(labels.ToArray()));
    }

    /// <summary>
    /// Trains a network; <paramref name="progress"/> gets (step, loss); <paramref name="profile"/> (a benchmark's) gets
    /// the parts of every training step and, as its one-off work, the rendering of the pool before them.
    /// </summary>
    public static IdentityEmbeddingNetwork Train(IdentityTrainingOptions o, Action<int, double>? progress = null, StepProfile? profile = null) =>
        Train(o, out _, progress, profile);

    /// <summary>
    /// Trains a network; <paramref name="trainedIdentities"/> gets the identities of a photo folder trained on (empty for
    /// rendered ones). Photos are also mirrored and shifted by up to 1/16 of the image at random (real photos are not
    /// aligned as renders are).
    /// </summary>
    public static IdentityEmbeddingNetwork Train(IdentityTrainingOptions o, out IReadOnlyList<string> trainedIdentities,
        Action<int, double>? progress = null, StepProfile? profile = null)
    {
        if (o.Steps < 1 || o.Batch < 2 || (o.PhotoFolder is null && (o.Identities < 2 || o.ViewsPerIdentity < 2)))
            throw new LiftedGanException("identity training needs at least 2 identities, 2 views, 1 step and batch 2");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Tensor images, labels;
        trainedIdentities = [];
        if (o.PhotoFolder is { } folder)
        {
            using var photos = Data.IdentityFolder.Load(folder, o.Size, o.MinImages);
            (images, labels) = (photos.Float(), photos.Labels.clone());
            trainedIdentities = photos.Identities;
            o = o with { Identities = photos.Identities.Count };
        }
        else (images, labels) = RenderPool(o.Seed, 0, o.Identities, o.ViewsPerIdentity, o.Size);
        profile?.AddOneOff(clock.Elapsed.TotalMilliseconds);
        var net = SeededInit.Apply(new IdentityEmbeddingNetwork(o.Size, o.Width, o.Dimension), o.Seed);
        var g = new torch.Generator((ulong)o.Seed);
        using (var fit = new ArcFaceFit(o, net, images, labels, g) { Profile = profile })
            new TrainingLoop(fit, StepRandomness.Stream(g), o.Steps) { Progress = p => progress?.Invoke((int)p.Step, p.Scalars["loss"]) }.Run();
        net.eval();
        images.Dispose();
        labels.Dispose();
        return net;
    }

    /// <summary>
    /// Profiles <paramref name="steps"/> training steps (after one warm-up step) with the shipped embedding's options
    /// (64 px, width 32, batch 64) on a pool of <paramref name="identities"/> × 8 views; rendering the pool is timed as
    /// the one-off part.
    /// </summary>
    public static TrainerProfile Profile(int steps, int identities = 64)
    {
        var o = new IdentityTrainingOptions { Identities = identities, Steps = steps + 1 };
        var profile = new StepProfile { Warmup = 1 };
        Train(o, profile: profile).Dispose();
        return TrainerProfile.From("identity embedding (ArcFace)", $"{o.Size} px, width {o.Width}, batch {o.Batch}", profile) with
        {
            OneOffMilliseconds = profile.OneOffMilliseconds,
            OneOff = $"rendering the pool of {o.Identities} × {o.ViewsPerIdentity} views (shipped run: 400 × 8)",
        };
    }

    /// <summary>
    /// ArcFace training as a <see cref="TrainingLoop"/> model: a step draws a batch of the rendered pool, jitters
    /// brightness and contrast per image (so identity does not ride on exposure) and applies Adam (weight decay 5e-4).
    /// </summary>
    sealed class ArcFaceFit : ITrainable, IDisposable
    {
        readonly IdentityTrainingOptions _o;
        readonly IdentityEmbeddingNetwork _net;
        readonly Tensor _images, _labels;
        readonly ArcFaceLoss _arc;
        readonly AdamOptimizer _optimizer;

        /// <summary>The ArcFace head is initialised from <paramref name="g"/>, the stream the steps then draw from.</summary>
        public ArcFaceFit(IdentityTrainingOptions o, IdentityEmbeddingNetwork net, Tensor images, Tensor labels, Generator g)
        {
            (_o, _net, _images, _labels) = (o, net, images, labels);
            _arc = new ArcFaceLoss(o.Dimension, o.Identities, margin: o.Margin, generator: g);
            _optimizer = new AdamOptimizer(net.parameters().Concat(_arc.parameters()), o.LearningRate, 0.9, 0.999, weightDecay: 5e-4);
            net.train();
        }

        public long StepsDone { get; private set; }
        public StepProfile? Profile { get; init; }

        public IReadOnlyDictionary<string, double> Step(Generator g)
        {
            Profile?.Begin();
            using var scope = NewDisposeScope();
            var idx = randint(0, _images.shape[0], new long[] { _o.Batch }, generator: g);
            var x = _images.index_select(0, idx);
            var gain = 1 + (rand(_o.Batch, 1, 1, 1, generator: g) - 0.5) * 0.3;
            var bias = (rand(_o.Batch, 1, 1, 1, generator: g) - 0.5) * 0.2;
            x = (x * gain + bias).clamp(-1, 1);
            if (_o.PhotoFolder is not null) x = MirrorAndShift(x, g);
            Profile?.Lap("data (batch, jitter)");
            if (_o.MarginWarmupSteps > 0) _arc.Margin = _o.Margin * Math.Min(1.0, (double)StepsDone / _o.MarginWarmupSteps);
            var loss = _arc.forward(_net.forward(x), _labels.index_select(0, idx));
            Profile?.Lap("forward, ArcFace loss");
            _optimizer.ZeroGrad();
            loss.backward();
            Profile?.Lap("backward");
            _optimizer.Step();
            Profile?.Lap("optimiser");
            StepsDone++;
            var scalars = new Dictionary<string, double> { ["loss"] = loss.item<float>() };
            Profile?.End();
            return scalars;
        }

        /// <summary>Mirrors half the images and shifts each by up to ±1/16 of its side (bilinear, border pixels repeated).</summary>
        static Tensor MirrorAndShift(Tensor x, Generator g)
        {
            long b = x.shape[0];
            var mirror = rand([b, 1, 1, 1], generator: g) < 0.5;
            x = where(mirror, x.flip(3), x);
            var shift = (rand([b, 2], generator: g) * 2 - 1) * (2.0 / 16);
            var theta = zeros(b, 2, 3);
            theta[.., 0, 0] = ones(b);
            theta[.., 1, 1] = ones(b);
            theta[.., .., 2] = shift;
            var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
            return nn.functional.grid_sample(x, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Border, align_corners: false);
        }

        public void Dispose()
        {
            _optimizer.Dispose();
            _arc.Dispose();
        }
    }

    /// <summary>
    /// Verification on held-out identities: mean cosine of same- and different-identity pairs, balanced accuracy of the
    /// best cosine threshold, ROC AUC, and rank-1 identification (nearest other image has the same identity) beside its chance.
    /// </summary>
    public static VerificationResult Evaluate(IFaceEmbedding net, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var e = net.Embed(images);
        var sim = e.matmul(e.t());
        long n = labels.shape[0];
        var same = labels.unsqueeze(0).eq(labels.unsqueeze(1));
        var offDiagonal = eye(n, dtype: ScalarType.Bool).logical_not();
        var samePairs = sim.masked_select(same.logical_and(offDiagonal));
        var diffPairs = sim.masked_select(same.logical_not());
        double best = 0;
        var sameSorted = samePairs.to(ScalarType.Float64).data<double>().ToArray();
        var diffSorted = diffPairs.to(ScalarType.Float64).data<double>().ToArray();
        Array.Sort(sameSorted);
        Array.Sort(diffSorted);
        foreach (var t in sameSorted.Concat(diffSorted).Distinct())
        {
            int sameAbove = sameSorted.Length - PairVerification.LowerBound(sameSorted, t);
            int diffBelow = PairVerification.LowerBound(diffSorted, t);
            best = Math.Max(best, 0.5 * ((double)sameAbove / sameSorted.Length + (double)diffBelow / diffSorted.Length));
        }
        double auc = PairVerification.Auc(sameSorted, diffSorted);
        // The threshold: the smallest cosine with at most 0.1 % of different pairs strictly above it.
        double threshold = diffSorted[Math.Max(0, diffSorted.Length - 1 - (int)Math.Floor(diffSorted.Length * 1e-3))];
        double tar = (double)(sameSorted.Length - PairVerification.UpperBound(sameSorted, threshold)) / sameSorted.Length;
        var masked = sim - eye(n) * 10;
        var nearest = masked.argmax(1);
        double rank1 = labels.index_select(0, nearest).eq(labels).to(ScalarType.Float64).mean().item<double>();
        double rank1Chance = (double)sameSorted.Length / (n * (n - 1));
        return new VerificationResult(samePairs.mean().item<float>(), diffPairs.mean().item<float>(), best, rank1) { Auc = auc, TarAtFar1e3 = tar, Rank1Chance = rank1Chance };
    }

    /// <summary>
    /// Saves the network (PyTorch zip: {'identity_embedding': state dict, 'input_size', 'width', 'dimension'}, and
    /// 'trained_identities', the photo identities trained on, when given).
    /// </summary>
    public static void Save(string path, IdentityEmbeddingNetwork net, long width, IReadOnlyList<string>? trainedIdentities = null)
    {
        var root = new PyDict();
        root.Set("identity_embedding", StateDict.Export(net));
        root.Set("input_size", (long)net.InputSize);
        root.Set("width", width);
        root.Set("dimension", net.Dimension);
        if (trainedIdentities is { Count: > 0 }) root.Set(TrainedIdentitiesKey, trainedIdentities.Cast<object?>().ToList());
        TorchCheckpoint.Save(path, root);
    }

    /// <summary>Key of the list of photo identities an embedding was trained on.</summary>
    public const string TrainedIdentitiesKey = "trained_identities";

    /// <summary>The photo identities an embedding file was trained on (empty when it stores none).</summary>
    public static IReadOnlyList<string> TrainedIdentities(string path)
    {
        var loaded = TorchCheckpoint.Load(path);
        try
        {
            return loaded is PyDict root && root.TryGet(TrainedIdentitiesKey, out var v) && v is List<object?> list
                ? list.Select(x => x as string ?? throw new CheckpointFormatException(path, $"'{TrainedIdentitiesKey}' holds a non-string")).ToList()
                : [];
        }
        finally { TorchCheckpoint.DisposeTensors(loaded); }
    }

    /// <summary>Whether a loaded checkpoint is one of ours.</summary>
    public static bool IsIdentityEmbedding(PyDict root) => root.ContainsKey("identity_embedding");

    /// <summary>Loads a network saved by <see cref="Save"/> (frozen, eval mode).</summary>
    public static IdentityEmbeddingNetwork Load(string path, PyDict root)
    {
        long Int(string key) => root.TryGet(key, out var v) && v is long l ? l : throw new CheckpointFormatException(path, $"'{key}' missing");
        var net = new IdentityEmbeddingNetwork((int)Int("input_size"), Int("width"), Int("dimension"));
        if (root["identity_embedding"] is not PyDict sd) throw new CheckpointFormatException(path, "'identity_embedding' is not a state dict");
        var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
        try { StateDict.Load(net, dict, strict: true); }
        catch (StateDictMismatchException e) { throw new CheckpointFormatException(path, $"identity embedding does not match: {e.Report}"); }
        net.eval();
        foreach (var p in net.parameters()) p.requires_grad = false;
        return net;
    }
}
