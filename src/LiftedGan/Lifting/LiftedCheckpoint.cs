using LiftedGan.Checkpoints;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The official LiftedGAN checkpoint layout (`checkpoint_NNN.pth`: netD, netT, netSD, netSC, optimizer, global_step,
/// epoch) and our config file beside it. Networks load strictly, each one that is present.
/// </summary>
public static class LiftedCheckpoint
{
    /// <summary>Our config, written beside every checkpoint.</summary>
    public const string ConfigFileName = "liftedgan_config.json";

    static readonly string[] NetworkKeys = { "netD", "netT", "netSD", "netSC" };

    /// <summary>The config stored beside a checkpoint, or null when there is none (official runs store config.py).</summary>
    public static LiftingConfig? ReadConfigBeside(string checkpointPath)
    {
        string json = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, ConfigFileName);
        return File.Exists(json) ? LiftingConfig.FromJson(File.ReadAllText(json), json) : null;
    }

    /// <summary>Loads every network present into the model; returns the whole checkpoint (caller disposes its tensors).</summary>
    public static PyDict LoadNetworks(LiftedGenerator model, string path)
    {
        var root = TorchCheckpoint.Load(path) as PyDict
            ?? throw new CheckpointFormatException(path, "not a LiftedGAN checkpoint (top level is not a dict)");
        if (!NetworkKeys.Any(root.ContainsKey))
        {
            string hint = root.ContainsKey("g_ema") ? " — it is a StyleGAN2 checkpoint (g_ema); pass it as the teacher instead" : "";
            throw new CheckpointFormatException(path, $"no LiftedGAN networks (netD, netT, netSD, netSC) in it{hint}");
        }
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
        return root;
    }
}
