using LiftedGan.Checkpoints;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>
/// StyleGAN2 checkpoints in the official (rosinality) layout: a dict with `g_ema`, `g`, `d` (state dicts with the
/// official key names), `g_optim`, `d_optim` (PyTorch Adam state dicts) and `args`, plus `train_state` (iteration and
/// path-length mean) for exact resumption. Generators load from any such file, including one holding only `g_ema`.
/// </summary>
public static class StyleGanCheckpoint
{
    /// <summary>
    /// Loads the generator stored under <paramref name="key"/>. The architecture is inferred from the tensor shapes
    /// unless <paramref name="config"/> is given; any key or shape difference throws with the full list.
    /// </summary>
    public static StyleGenerator LoadGenerator(string path, string key = "g_ema", GeneratorConfig? config = null)
    {
        var dict = TorchCheckpoint.LoadStateDict(path, key);
        try
        {
            var shapes = dict.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
            // The mapping network's stored weights are scaled by 1 / lr_mlp: a run's own value (in args) must be used.
            var arch = config ?? GeneratorConfigInference.Infer(shapes, path, ReadLrMlp(path) ?? 0.01);
            var g = new StyleGenerator(arch);
            LoadStrict(g, dict, path, key);
            g.to(Torch.TorchRuntime.Device);
            g.eval();
            return g;
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>Writes the trainer's full state atomically.</summary>
    public static void Save(string path, StyleGanTrainer t)
    {
        var o = t.Options;
        var root = new PyDict();
        root.Set("g_ema", StateDictValue(t.GEma));
        root.Set("g", StateDictValue(t.G));
        root.Set("d", StateDictValue(t.D));
        root.Set("g_optim", AdamStateDict.Export(t.GOptim));
        root.Set("d_optim", AdamStateDict.Export(t.DOptim));
        root.Set("args", ArgsValue(o));
        var state = new PyDict();
        state.Set("iter", t.Iteration);
        state.Set("mean_path_length", t.MeanPathLength);
        root.Set("train_state", state);
        TorchCheckpoint.Save(path, root);
    }

    /// <summary>Reads the training options stored in a checkpoint written by <see cref="Save"/>.</summary>
    public static TrainOptions ReadOptions(string path)
    {
        var root = TorchCheckpoint.Load(path);
        try
        {
            var args = Get<PyDict>(root, "args", path);
            int size = (int)Get<long>(args, "size", path);
            var gch = ReadTable(Get<PyDict>(args, "channels", path), path);
            var dch = ReadTable(Get<PyDict>(args, "d_channels", path), path);
            return new TrainOptions
            {
                Generator = new GeneratorConfig
                {
                    Size = size, StyleDim = (int)Get<long>(args, "latent", path), MappingLayers = (int)Get<long>(args, "n_mlp", path),
                    LrMlp = Get<double>(args, "lr_mlp", path), Channels = gch,
                },
                Discriminator = new DiscriminatorConfig { Size = size, Channels = dch },
                Batch = (int)Get<long>(args, "batch", path),
                Lr = Get<double>(args, "lr", path),
                Beta1 = args.TryGet("beta1", out var beta1) && beta1 is double b1 ? b1 : 0,
                R1 = Get<double>(args, "r1", path),
                DRegEvery = (int)Get<long>(args, "d_reg_every", path),
                PathRegularize = Get<double>(args, "path_regularize", path),
                GRegEvery = (int)Get<long>(args, "g_reg_every", path),
                PathBatchShrink = (int)Get<long>(args, "path_batch_shrink", path),
                Mixing = Get<double>(args, "mixing", path),
                EmaDecay = Get<double>(args, "ema_decay", path),
                Augment = Get<bool>(args, "augment", path),
                Seed = unchecked((ulong)Get<long>(args, "seed", path)),
                // Checkpoints from before the world-fit objective have no entry: adversarial.
                Objective = args.TryGet("objective", out var objective) && objective is "world_fit"
                    ? TrainObjective.WorldFit : TrainObjective.Adversarial,
            };
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>The mapping network's learning-rate multiplier recorded in a checkpoint's <c>args</c>, or null.</summary>
    public static double? ReadLrMlp(string path) => ReadArgs<double?>(path, args =>
        args.TryGet("lr_mlp", out var v) ? v switch { double x => x, long l => l, _ => null } : null);

    /// <summary>
    /// The training objective recorded in a checkpoint's <c>args</c> (kept by <c>pack</c>): world-fit, adversarial, or
    /// null when the file has no <c>args</c> (e.g. an official checkpoint converted without them).
    /// </summary>
    public static TrainObjective? ReadObjective(string path) => ReadArgs<TrainObjective?>(path, args =>
        args.TryGet("objective", out var objective) && objective is "world_fit" ? TrainObjective.WorldFit : TrainObjective.Adversarial);

    /// <summary>Applies <paramref name="read"/> to the checkpoint's <c>args</c> dict; default when it has none.</summary>
    static T? ReadArgs<T>(string path, Func<PyDict, T> read)
    {
        var root = TorchCheckpoint.Load(path);
        try { return root is PyDict d && d.TryGet("args", out var a) && a is PyDict args ? read(args) : default; }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>Restores networks, optimizer moments, iteration and path-length mean into <paramref name="t"/>.</summary>
    public static void Restore(string path, StyleGanTrainer t)
    {
        var root = TorchCheckpoint.Load(path);
        try
        {
            LoadStrict(t.G, Flat(Get<PyDict>(root, "g", path)), path, "g");
            LoadStrict(t.GEma, Flat(Get<PyDict>(root, "g_ema", path)), path, "g_ema");
            // A resumable pack (ModelPacker, resumable) has no optimiser moments (they restart) and may hold float16
            // weights (copied into the float32 networks); a world-fit run's pack has no discriminator either (never
            // trained: the one initialised from the run seed is the same).
            bool compact = root is PyDict r && !r.ContainsKey("g_optim");
            if (!compact || t.Options.Objective != TrainObjective.WorldFit)
                LoadStrict(t.D, Flat(Get<PyDict>(root, "d", path)), path, "d");
            if (!compact)
            {
                AdamStateDict.Restore(t.GOptim, Get<PyDict>(root, "g_optim", path), path, "g_optim");
                AdamStateDict.Restore(t.DOptim, Get<PyDict>(root, "d_optim", path), path, "d_optim");
            }
            t.OptimizerRestarted = compact;
            var state = Get<PyDict>(root, "train_state", path);
            t.Iteration = Get<long>(state, "iter", path);
            t.MeanPathLength = Get<double>(state, "mean_path_length", path);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> dict, string path, string key)
    {
        try { StateDict.Load(module, dict, strict: true); }
        catch (StateDictMismatchException e)
        {
            throw new StyleGanException($"{path}: '{key}' does not fit this architecture: {e.Report}", e);
        }
    }

    static Dictionary<string, Tensor> Flat(PyDict d) =>
        d.Where(kv => kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);

    static PyDict StateDictValue(nn.Module m)
    {
        var d = new PyDict { IsOrdered = true };
        foreach (var (k, v) in StateDict.Export(m)) d.Set(k, v.cpu().clone());
        return d;
    }

    static PyDict ArgsValue(TrainOptions o)
    {
        var a = new PyDict();
        a.Set("size", (long)o.Generator.Size);
        a.Set("latent", (long)o.Generator.StyleDim);
        a.Set("n_mlp", (long)o.Generator.MappingLayers);
        a.Set("lr_mlp", o.Generator.LrMlp);
        a.Set("channels", TableValue(o.Generator.Channels));
        a.Set("d_channels", TableValue(o.Discriminator.Channels));
        a.Set("batch", (long)o.Batch);
        a.Set("lr", o.Lr);
        a.Set("beta1", o.Beta1);
        a.Set("r1", o.R1);
        a.Set("d_reg_every", (long)o.DRegEvery);
        a.Set("path_regularize", o.PathRegularize);
        a.Set("g_reg_every", (long)o.GRegEvery);
        a.Set("path_batch_shrink", (long)o.PathBatchShrink);
        a.Set("mixing", o.Mixing);
        a.Set("ema_decay", o.EmaDecay);
        a.Set("augment", o.Augment);
        a.Set("augment_policy", o.Augment ? "color,translation,cutout" : "");
        a.Set("seed", unchecked((long)o.Seed));
        a.Set("objective", o.Objective == TrainObjective.WorldFit ? "world_fit" : "adversarial");
        return a;
    }

    static PyDict TableValue(IReadOnlyDictionary<int, int> table)
    {
        var d = new PyDict();
        foreach (var (r, c) in table.OrderBy(kv => kv.Key)) d.Set((long)r, (long)c);
        return d;
    }

    static Dictionary<int, int> ReadTable(PyDict d, string path) =>
        d.ToDictionary(kv => (int)(kv.Key as long? ?? throw new StyleGanException($"{path}: channel table key {kv.Key} is not an int")),
            kv => (int)(kv.Value as long? ?? throw new StyleGanException($"{path}: channel table value {kv.Value} is not an int")));

    static T Get<T>(object? container, string key, string path)
    {
        if (container is not PyDict d || !d.TryGet(key, out var v))
            throw new StyleGanException($"{path}: no '{key}' entry (not a StyleGAN2 training checkpoint)");
        return v switch
        {
            T t => t,
            long l when typeof(T) == typeof(double) => (T)(object)(double)l,
            _ => throw new StyleGanException($"{path}: '{key}' is {v?.GetType().Name ?? "None"}, expected {typeof(T).Name}"),
        };
    }
}
