using LiftedGan.Checkpoints;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The official LiftedGAN checkpoint layout (`checkpoint_NNN.pth`: netD, netT, netSD, netSC, optimizer, global_step,
/// epoch) and our config file beside it; a packed checkpoint (`liftedgan pack`) carries its config inside as well.
/// Networks load strictly, each one that is present; float16-stored tensors are converted to float32.
/// </summary>
public static class LiftedCheckpoint
{
    /// <summary>Our config, written beside every checkpoint.</summary>
    public const string ConfigFileName = "liftedgan_config.json";

    /// <summary>Key of the config json (a string) inside a packed checkpoint.</summary>
    public const string EmbeddedConfigKey = "liftedgan_config";

    static readonly string[] NetworkKeys = { "netD", "netT", "netSD", "netSC" };

    /// <summary>The config stored beside a checkpoint, or null when there is none (official runs store config.py).</summary>
    public static LiftingConfig? ReadConfigBeside(string checkpointPath)
    {
        string json = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, ConfigFileName);
        return File.Exists(json) ? LiftingConfig.FromJson(File.ReadAllText(json), json) : null;
    }

    /// <summary>The config embedded in a loaded checkpoint (<see cref="EmbeddedConfigKey"/>), or null when it has none.</summary>
    public static LiftingConfig? ReadEmbeddedConfig(PyDict root, string path) =>
        !root.TryGet(EmbeddedConfigKey, out var value) ? null
        : value is string json ? LiftingConfig.FromJson(json, $"{path} ({EmbeddedConfigKey})")
        : throw new CheckpointFormatException(path, $"'{EmbeddedConfigKey}' is not a string");

    /// <summary>Loads every network present into the model; returns the whole checkpoint (caller disposes its tensors).</summary>
    public static PyDict LoadNetworks(LiftedGenerator model, string path)
    {
        var root = LoadRoot(path);
        try
        {
            LoadInto(model, root, path);
            return root;
        }
        catch { TorchCheckpoint.DisposeTensors(root); throw; }
    }

    /// <summary>Loads a file and checks that it holds LiftedGAN networks (a StyleGAN2 file is refused with a hint).</summary>
    static PyDict LoadRoot(string path)
    {
        var loaded = TorchCheckpoint.Load(path);
        if (loaded is not PyDict root)
        {
            TorchCheckpoint.DisposeTensors(loaded);
            throw new CheckpointFormatException(path, "not a LiftedGAN checkpoint (top level is not a dict)");
        }
        if (!NetworkKeys.Any(root.ContainsKey))
        {
            TorchCheckpoint.DisposeTensors(root);
            string hint = root.ContainsKey("g_ema") ? " — it is a StyleGAN2 checkpoint (g_ema); pass it as the teacher instead" : "";
            throw new CheckpointFormatException(path, $"no LiftedGAN networks (netD, netT, netSD, netSC) in it{hint}");
        }
        return root;
    }

    /// <summary>Checkpoint keys of <paramref name="model"/>'s networks that <paramref name="root"/> does not hold.</summary>
    internal static List<string> MissingNetworks(LiftedGenerator model, PyDict root) =>
        model.Networks.Select(n => n.Key).Where(k => !root.ContainsKey(k)).ToList();

    static void LoadInto(LiftedGenerator model, PyDict root, string path)
    {
        foreach (var (key, module) in model.Networks)
        {
            if (!root.TryGet(key, out var value)) continue;
            if (value is not PyDict sd) throw new CheckpointFormatException(path, $"'{key}' is not a state dict");
            var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
            try { StateDict.Load(module, dict, strict: true); }
            catch (StateDictMismatchException e)
            {
                throw new CheckpointFormatException(path, $"'{key}' does not fit the {model.Config.Preset} networks: {e.Report}");
            }
        }
    }

    /// <summary>
    /// A trained lift ready to use: the teacher from <paramref name="teacherPath"/> and the networks from
    /// <paramref name="checkpointPath"/> (config embedded in it, else from <see cref="ConfigFileName"/> beside it, else
    /// the preset for the teacher's resolution: 64 → synth_64, 256 → ffhq_256), all in eval mode. A StyleGAN2 file given as the lift is
    /// refused with a hint.
    /// </summary>
    public static LiftedGenerator Open(string checkpointPath, string teacherPath)
    {
        if (!File.Exists(checkpointPath)) throw new LiftingSetupException(checkpointPath, "lift checkpoint not found");
        if (!File.Exists(teacherPath)) throw new LiftingSetupException(teacherPath, "StyleGAN2 checkpoint not found");
        var root = LoadRoot(checkpointPath);
        try
        {
            var teacher = StyleGanCheckpoint.LoadGenerator(teacherPath);
            try
            {
                var config = ReadEmbeddedConfig(root, checkpointPath) ?? ReadConfigBeside(checkpointPath) ?? PresetFor(teacher.Config.Size, checkpointPath);
                config = config.ForTeacher(teacher.Config.StyleDim);
                if (teacher.Config.Size != config.ImageSize)
                    throw new LiftingSetupException(teacherPath, $"a {teacher.Config.Size} px StyleGAN2 does not fit the lift checkpoint ({config.Preset}, {config.ImageSize} px)");
                var model = new LiftedGenerator(teacher, config);
                try
                {
                    LoadInto(model, root, checkpointPath);
                    if (MissingNetworks(model, root) is { Count: > 0 } missing)
                        throw new CheckpointFormatException(checkpointPath, $"its config needs network(s) {string.Join(", ", missing)}, which it does not hold");
                    foreach (var (_, net) in model.Networks) net.eval();
                    return model;
                }
                catch { model.Dispose(); throw; }
            }
            catch { teacher.Dispose(); throw; }
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    static LiftingConfig PresetFor(int size, string checkpointPath) => size switch
    {
        64 => LiftingConfig.Synth64,
        256 => LiftingConfig.Ffhq256,
        _ => throw new LiftingSetupException(checkpointPath, $"no {ConfigFileName} beside it and no preset for a {size} px teacher"),
    };
}
