using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.Synthetic;
using LiftedGan.Torch;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Settings of an <see cref="ExpressionTrainer"/> run.</summary>
public sealed record ExpressionTrainingOptions
{
    public int Size { get; init; } = 64;
    public long Width { get; init; } = 16;
    public int Steps { get; init; } = 1000;
    public int Batch { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Seed of initialisation and of the training stream (held-out evaluation uses another seed).</summary>
    public long Seed { get; init; } = 1;
}

/// <summary>
/// Error of an expression estimator on held-out procedural renders, per parameter (smile, mouth_open, brow_raise):
/// mean absolute error, that of the best constant answer (the held-out truth's own median, which minimises the mean
/// absolute error; an estimator that has learnt nothing scores about this) and the Pearson correlation with the truth.
/// </summary>
public sealed record ExpressionErrors(int Images, IReadOnlyList<string> Parameters, double[] Mae, double[] ConstantMae, double[] Correlation)
{
    /// <summary>Mean over the parameters of <see cref="Mae"/>.</summary>
    public double MeanMae => Mae.Average();

    /// <summary>Mean over the parameters of <see cref="ConstantMae"/>.</summary>
    public double MeanConstantMae => ConstantMae.Average();
}

/// <summary>
/// One resumable training run of the <see cref="ExpressionEstimator"/> on the face world's exact expression values
/// (loss: mean squared error over smile, mouth_open and brow_raise, plus that of the difference within pairs of renders
/// that differ only in expression: <see cref="ExpressionTraining.PairedBatch"/>). As <see cref="PoseDepthTrainer"/>: every step's batch comes
/// from a generator seeded by (run seed, step), so a resumed run continues exactly as an uninterrupted one.
/// </summary>
public sealed class ExpressionTrainer : ITrainable, IDisposable
{
    readonly AdamOptimizer _adam;

    /// <summary>A fresh run (weights from <see cref="ExpressionTrainingOptions.Seed"/>).</summary>
    public ExpressionTrainer(ExpressionTrainingOptions options)
    {
        if (options.Steps < 1 || options.Batch < 1) throw new EvaluationException("options", $"steps {options.Steps} and batch {options.Batch} must be at least 1");
        TorchRuntime.EnsureLoaded();
        Options = options;
        Net = SeededInit.Apply(new ExpressionEstimator(options.Size, options.Width), options.Seed);
        Net.train();
        _adam = new AdamOptimizer(Net.parameters(), options.LearningRate, 0.9, 0.999);
    }

    public ExpressionTrainingOptions Options { get; }
    /// <summary>The network being trained; it outlives the trainer (the caller disposes it).</summary>
    public ExpressionEstimator Net { get; }
    /// <summary>Steps done so far.</summary>
    public int Step { get; private set; }
    long ITrainable.StepsDone => Step;

    /// <summary>Each step's randomness: a generator seeded by (run seed, step number from 1).</summary>
    public StepRandomness Randomness => StepRandomness.PerStep(i => unchecked((ulong)Options.Seed * 0xD1B54A32D192ED03UL + (ulong)(i + 1) * 0xBF58476D1CE4E5B9UL));

    IReadOnlyDictionary<string, double> ITrainable.Step(Generator generator)
    {
        Step++;
        using var scope = NewDisposeScope();
        using var faces = ExpressionTraining.PairedBatch(Options.Batch, Options.Size, generator);
        var predicted = Net.call(faces.Images);
        var truth = ExpressionTraining.Truth(faces);
        int half = Options.Batch / 2;
        // Absolute values, plus the difference within each pair: the two images of a pair differ only in expression,
        // so the second term's gradient is about expression alone (identity, pose, light and background cancel).
        var absolute = (predicted - truth).square().mean();
        var paired = ((predicted[..half] - predicted[half..(2 * half)]) - (truth[..half] - truth[half..(2 * half)])).square().mean();
        var loss = absolute + paired;
        _adam.ZeroGrad();
        loss.backward();
        _adam.Step();
        return new Dictionary<string, double> { ["loss"] = loss.item<float>(), ["absolute"] = absolute.item<float>() };
    }

    /// <summary>Writes the estimator file <see cref="ExpressionTraining.Load"/> reads plus the state to resume (atomically).</summary>
    public void Save(string path) => EstimatorFile.SaveRun(path, ExpressionTraining.ToCheckpoint(Net), _adam, Step, Options);

    /// <summary>Continues the run saved at <paramref name="path"/>; its options must equal <paramref name="options"/> except the step count.</summary>
    public static ExpressionTrainer Resume(string path, ExpressionTrainingOptions options)
    {
        var (trainer, step) = EstimatorFile.Resume(path, options, "expression estimator", o => o with { Steps = options.Steps }, o => new ExpressionTrainer(o),
            (t, root, optimizer) =>
            {
                ExpressionTraining.LoadWeights(t.Net, root, path);
                AdamStateDict.Restore(t._adam, optimizer, path, "optimizer");
            },
            t => { t.Dispose(); t.Net.Dispose(); });
        trainer.Step = step;
        return trainer;
    }

    /// <summary>Frees the optimiser state (not <see cref="Net"/>).</summary>
    public void Dispose() => _adam.Dispose();
}

/// <summary>Trains, runs, scores, saves and loads the <see cref="ExpressionEstimator"/>.</summary>
public static class ExpressionTraining
{
    /// <summary>The exact expression values (B × 3, <see cref="ExpressionEstimator.Parameters"/> order) of rendered faces.</summary>
    public static Tensor Truth(FaceBatch faces)
    {
        using var index = tensor(ExpressionEstimator.Parameters.Select(p => (long)p).ToArray());
        return faces.Parameters.index_select(1, index);
    }

    /// <summary>
    /// A training batch of <paramref name="n"/> world renders (n ≥ 2): images [0, n/2) are new faces (every factor
    /// drawn, texture noise), images [n/2, 2·(n/2)) the same faces with the expression (smile, mouth_open, brow_raise)
    /// of other new draws, and an odd last image one more new face.
    /// </summary>
    public static FaceBatch PairedBatch(int n, int size, Generator generator)
    {
        if (n < 2) throw new EvaluationException("batch", $"{n}: paired training needs at least 2 images");
        long seed;
        using (var s = randint(0, long.MaxValue, new long[] { 1 }, dtype: int64, generator: generator)) seed = s.item<long>();
        int half = n / 2;
        var draws = new List<FaceDraw>();
        try
        {
            for (int i = 0; i < half; i++) draws.Add(FaceDraw.Create(seed, i));
            for (int i = 0; i < half; i++)
            {
                using var other = FaceDraw.Create(seed, half + i);
                var row = (float[])draws[i].Parameters.Clone();
                foreach (var p in ExpressionEstimator.Parameters) row[(int)p] = other.Parameters[(int)p];
                draws.Add(draws[i] with { Index = half + i, Parameters = row, Noise = draws[i].Noise.clone() });
            }
            if (n % 2 == 1) draws.Add(FaceDraw.Create(seed, n));
            return FaceWorld.Render(draws, size);
        }
        finally { foreach (var d in draws) d.Dispose(); }
    }

    /// <summary>Trains a new estimator in one go (no files); <paramref name="progress"/> gets (step, loss) after every step.</summary>
    public static ExpressionEstimator Train(ExpressionTrainingOptions o, Action<int, double>? progress = null)
    {
        using var trainer = new ExpressionTrainer(o);
        EstimatorFile.Train(trainer, trainer.Randomness, o.Steps, progress);
        trainer.Net.eval();
        return trainer.Net;
    }

    /// <summary>
    /// Trains <paramref name="trainer"/> to its step count as a resumable file run: <paramref name="path"/> is rewritten
    /// every <paramref name="checkpointEvery"/> steps and at the end, with PATH.loss.csv beside it.
    /// </summary>
    public static void Run(ExpressionTrainer trainer, string path, int checkpointEvery, Action<StepProgress>? progress = null) =>
        EstimatorFile.Run(trainer, trainer.Randomness, trainer.Options.Steps, path, trainer.Save, checkpointEvery, progress);

    /// <summary>
    /// Expression values B × 3 of images B × 3 × S × S (area-resized to the estimator's size), without gradients;
    /// clamped to the parameters' range [0, 1] unless <paramref name="clamp"/> is false (the raw regression output).
    /// </summary>
    public static Tensor Predict(ExpressionEstimator net, Tensor images, bool clamp = true)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int size = net.InputSize;
        var x = images.shape[2] == size && images.shape[3] == size ? images : nn.functional.adaptive_avg_pool2d(images, new long[] { size, size });
        var y = net.call(x);
        return (clamp ? y.clamp(0, 1) : y).MoveToOuterDisposeScope();
    }

    /// <summary>Error of <paramref name="net"/> on <paramref name="count"/> new world renders (texture noise, all factors drawn) of seed <paramref name="seed"/>.</summary>
    public static ExpressionErrors HeldOut(ExpressionEstimator net, int count, long seed, int batch = 16)
    {
        if (count < 2) throw new EvaluationException("count", $"{count}: need at least 2 held-out images");
        using var generator = new Generator((ulong)seed);
        int k = ExpressionEstimator.Parameters.Count;
        var predicted = Enumerable.Range(0, k).Select(_ => new List<double>()).ToArray();
        var truth = Enumerable.Range(0, k).Select(_ => new List<double>()).ToArray();
        for (int done = 0; done < count;)
        {
            int n = Math.Min(batch, count - done);
            using var scope = NewDisposeScope();
            using var faces = FaceWorld.SampleBatch(n, net.InputSize, generator);
            var p = Predict(net, faces.Images).to(ScalarType.Float64).data<double>().ToArray();
            var t = Truth(faces).to(ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < n * k; i++)
            {
                predicted[i % k].Add(p[i]);
                truth[i % k].Add(t[i]);
            }
            done += n;
        }
        var mae = new double[k]; var constant = new double[k]; var r = new double[k];
        for (int j = 0; j < k; j++)
        {
            var sorted = truth[j].Order().ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            mae[j] = predicted[j].Zip(truth[j], (a, b) => Math.Abs(a - b)).Average();
            constant[j] = truth[j].Average(b => Math.Abs(median - b));
            r[j] = AngleError.Correlation(predicted[j], truth[j]);
        }
        return new ExpressionErrors(count, ExpressionEstimator.Parameters.Select(p => FaceParameters.All[(int)p].Name).ToArray(), mae, constant, r);
    }

    /// <summary>Saves the estimator (PyTorch zip: {'expression_estimator': state dict, 'input_size', 'width'}).</summary>
    public static void Save(string path, ExpressionEstimator net) => TorchCheckpoint.Save(path, ToCheckpoint(net));

    /// <summary>The checkpoint dict <see cref="Save"/> writes.</summary>
    internal static PyDict ToCheckpoint(ExpressionEstimator net) => EstimatorFile.Network("expression_estimator", net, net.InputSize, net.Width);

    /// <summary>Loads an estimator saved by <see cref="Save"/> or a training run (eval mode, frozen).</summary>
    public static ExpressionEstimator Load(string path) =>
        EstimatorFile.LoadFrozen(path, "expression_estimator", "expression estimator", (size, width) => new ExpressionEstimator(size, width));

    internal static void LoadWeights(ExpressionEstimator net, PyDict root, string path) =>
        EstimatorFile.LoadWeights(net, root, "expression_estimator", "expression estimator", path);
}
