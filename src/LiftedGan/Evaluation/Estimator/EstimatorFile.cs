using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.Torch;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// The file layout the project's image estimators share (pose-and-depth, expression): a PyTorch zip dict
/// {KEY: state dict, 'input_size', 'width'}, plus 'optimizer', 'step' and 'options' (JSON) while it is a training run.
/// </summary>
internal static class EstimatorFile
{
    /// <summary>The inference dict of a network of the given input size and width.</summary>
    public static PyDict Network(string key, nn.Module net, int inputSize, long width)
    {
        var root = new PyDict();
        root.Set(key, StateDict.Export(net));
        root.Set("input_size", (long)inputSize);
        root.Set("width", width);
        return root;
    }

    /// <summary>Loads a network saved under <paramref name="key"/>, made by <paramref name="create"/>(input size, width); eval mode, frozen.</summary>
    public static T LoadFrozen<T>(string path, string key, string label, Func<int, long, T> create) where T : nn.Module
    {
        if (!File.Exists(path)) throw new EvaluationException(path, $"{label} checkpoint not found");
        TorchRuntime.EnsureLoaded();
        var root = TorchCheckpoint.Load(path) as PyDict ?? throw new EvaluationException(path, $"not an {label} checkpoint (top level is not a dict)");
        try
        {
            long Int(string name) => root.TryGet(name, out var v) && v is long l ? l : throw new EvaluationException(path, $"'{name}' missing");
            var net = create((int)Int("input_size"), Int("width"));
            LoadWeights(net, root, key, label, path);
            net.eval();
            foreach (var p in net.parameters()) p.requires_grad = false;
            return net;
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>Copies the state dict under <paramref name="key"/> of a loaded checkpoint into <paramref name="net"/> (strictly).</summary>
    public static void LoadWeights(nn.Module net, PyDict root, string key, string label, string path)
    {
        if (!root.TryGet(key, out var sdValue) || sdValue is not PyDict sd)
            throw new EvaluationException(path, $"no '{key}' state dict in it");
        var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
        try { StateDict.Load(net, dict, strict: true); }
        catch (StateDictMismatchException e) { throw new EvaluationException(path, $"{label} does not match: {e.Report}"); }
    }

    /// <summary>Writes a training run: the inference dict plus Adam's state, the step and the options (atomically).</summary>
    public static void SaveRun<TOptions>(string path, PyDict network, AdamOptimizer adam, int step, TOptions options)
    {
        network.Set("optimizer", AdamStateDict.Export(adam));
        network.Set("step", (long)step);
        network.Set("options", JsonSerializer.Serialize(options));
        TorchCheckpoint.Save(path, network);
    }

    /// <summary>
    /// Continues a run saved by <see cref="SaveRun"/>: its options must equal <paramref name="options"/> except the step
    /// count (<paramref name="withSteps"/> sets it); <paramref name="create"/> makes the trainer, <paramref name="restore"/>
    /// loads the weights and Adam's state into it (the trainer is disposed by <paramref name="dispose"/> if that fails).
    /// </summary>
    public static (TTrainer Trainer, int Step) Resume<TTrainer, TOptions>(string path, TOptions options, string label,
        Func<TOptions, TOptions> withSteps, Func<TOptions, TTrainer> create, Action<TTrainer, PyDict, PyDict> restore, Action<TTrainer> dispose)
    {
        TorchRuntime.EnsureLoaded();
        var root = TorchCheckpoint.Load(path) as PyDict ?? throw new EvaluationException(path, $"not an {label} checkpoint (top level is not a dict)");
        try
        {
            if (!root.TryGet("options", out var o) || o is not string json || !root.TryGet("step", out var s) || s is not long step
                || !root.TryGet("optimizer", out var opt) || opt is not PyDict optimizer)
                throw new EvaluationException(path, "holds no training state (options, step, optimizer) to resume from");
            var saved = JsonSerializer.Deserialize<TOptions>(json) ?? throw new EvaluationException(path, "unreadable options");
            if (!EqualityComparer<TOptions>.Default.Equals(withSteps(saved), options))
                throw new EvaluationException(path, $"was trained with {saved}, not {options}; write to another file or train with the same options");
            var trainer = create(options);
            try { restore(trainer, root, optimizer); }
            catch
            {
                dispose(trainer);
                throw;
            }
            return (trainer, (int)step);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>
    /// Trains <paramref name="trainer"/> to <paramref name="steps"/> as a resumable file run: <paramref name="save"/>
    /// rewrites <paramref name="path"/> every <paramref name="checkpointEvery"/> steps and at the end, with
    /// PATH.loss.csv (rows past a resumed checkpoint dropped) beside it each time; the file is locked while it runs.
    /// </summary>
    public static void Run(ITrainable trainer, StepRandomness randomness, long steps, string path, Action<string> save, int checkpointEvery,
        Action<StepProgress>? progress) =>
        new TrainingLoop(trainer, randomness, steps)
        {
            Csv = CsvLog.Checkpointed(Path.ChangeExtension(path, ".loss.csv"), trainer.StepsDone),
            LockFile = RunLock.ForFile(path),
            Checkpoints = new CheckpointSchedule(checkpointEvery, _ => save(path)),
            Progress = progress,
        }.Run();

    /// <summary>Trains <paramref name="trainer"/> to <paramref name="steps"/> in one go (no files); <paramref name="progress"/> gets (step, loss).</summary>
    public static void Train(ITrainable trainer, StepRandomness randomness, long steps, Action<int, double>? progress) =>
        new TrainingLoop(trainer, randomness, steps) { Progress = p => progress?.Invoke((int)p.Step, p.Scalars["loss"]) }.Run();
}
