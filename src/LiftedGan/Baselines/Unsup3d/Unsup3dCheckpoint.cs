using LiftedGan.Checkpoints;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// The Unsup3d checkpoint: a PyTorch zip holding the networks under the official names (netD, netA, netL, netV, netC),
/// the config as JSON (<see cref="ConfigKey"/>, which also marks the file as Unsup3d's), and — for a training checkpoint —
/// Adam's state (optimizer), global_step and a description of the training data (data).
/// </summary>
public static class Unsup3dCheckpoint
{
    /// <summary>Key of the config JSON; its presence tells an Unsup3d checkpoint from any other.</summary>
    public const string ConfigKey = "unsup3d_config";

    /// <summary>
    /// Key of the wall-clock seconds spent in training steps, summed over resumes (absent in checkpoints written before
    /// it was recorded).
    /// </summary>
    public const string TrainSecondsKey = "train_seconds";

    /// <summary>Key of the name and SHA-256 of the checkpoint a run's networks started from (absent for fresh networks).</summary>
    public const string InitialisedFromKey = "initialised_from";

    /// <summary>The step and training seconds stored in <paramref name="path"/> (null where not stored).</summary>
    public static (long? Step, double? TrainSeconds) ReadProgress(string path)
    {
        var root = LoadRoot(path);
        try
        {
            long? step = root.TryGet("global_step", out var s) && s is long l ? l : null;
            double? seconds = root.TryGet(TrainSecondsKey, out var t) ? t switch { double d => d, long n => n, _ => null } : null;
            return (step, seconds);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    /// <summary>Whether a loaded checkpoint is Unsup3d's.</summary>
    public static bool Holds(object? root) => root is PyDict dict && dict.ContainsKey(ConfigKey);

    /// <summary>The networks and config of <paramref name="model"/> as a checkpoint dict.</summary>
    public static PyDict ToCheckpoint(Unsup3dModel model)
    {
        var root = new PyDict();
        foreach (var (key, module) in model.Networks)
        {
            var sd = new PyDict { IsOrdered = true };
            foreach (var (k, v) in StateDict.Export(module)) sd.Set(k, v);
            root.Set(key, sd);
        }
        root.Set(ConfigKey, model.Config.ToJson());
        return root;
    }

    /// <summary>Loads a file and checks that it is an Unsup3d checkpoint (the caller disposes its tensors).</summary>
    /// <exception cref="CheckpointFormatException">The file is corrupt, truncated or not an Unsup3d checkpoint.</exception>
    public static PyDict LoadRoot(string path)
    {
        if (!File.Exists(path)) throw new Unsup3dException(path, "Unsup3d checkpoint not found");
        var loaded = TorchCheckpoint.Load(path);
        if (!Holds(loaded))
        {
            TorchCheckpoint.DisposeTensors(loaded);
            throw new CheckpointFormatException(path, $"not an Unsup3d checkpoint (no '{ConfigKey}' in it)");
        }
        return (PyDict)loaded!;
    }

    /// <summary>The config stored in a loaded checkpoint.</summary>
    public static Unsup3dConfig ReadConfig(PyDict root, string path) =>
        root.TryGet(ConfigKey, out var value) && value is string json
            ? Unsup3dConfig.FromJson(json, $"{path} ({ConfigKey})")
            : throw new CheckpointFormatException(path, $"'{ConfigKey}' is not a string");

    /// <summary>Loads every network of the model from a loaded checkpoint, strictly; each must be present.</summary>
    public static void LoadInto(Unsup3dModel model, PyDict root, string path)
    {
        foreach (var (key, module) in model.Networks)
        {
            if (!root.TryGet(key, out var value) || value is not PyDict sd) throw new CheckpointFormatException(path, $"no '{key}' state dict in it");
            var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
            try { StateDict.Load(module, dict, strict: true); }
            catch (StateDictMismatchException e) { throw new CheckpointFormatException(path, $"'{key}' does not fit its config's networks: {e.Report}"); }
        }
    }

    /// <summary>A trained model ready to use (evaluation mode, weights frozen).</summary>
    public static Unsup3dModel Open(string path)
    {
        var root = LoadRoot(path);
        try
        {
            var model = new Unsup3dModel(ReadConfig(root, path));
            try
            {
                LoadInto(model, root, path);
                model.Train(false);
                foreach (var p in model.Parameters()) p.requires_grad = false;
                return model;
            }
            catch { model.Dispose(); throw; }
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }
}
