using System.Text.Json;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Training;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// The networks of a GAN2Shape joint pre-training (spec related-systems §1.8), loaded once and applied to each per-image
/// fit that starts from them. The file is a PyTorch zip: the depth, albedo, light and view networks under Unsup3d's
/// official names (netD, netA, netL, netV), the latent encoder (netE) and the config as JSON (<see cref="ConfigKey"/>,
/// which marks the file as GAN2Shape's); a joint training's checkpoint adds its progress (<see cref="Gan2ShapeJointTraining"/>).
/// </summary>
public sealed class Gan2ShapeWeights : IDisposable
{
    /// <summary>Key of the config JSON; its presence tells a GAN2Shape file from any other.</summary>
    public const string ConfigKey = "gan2shape_config";

    /// <summary>Key of the latent encoder's state dict.</summary>
    public const string EncoderKey = "netE";

    /// <summary>The state dicts a file holds: Unsup3d's depth, albedo, light and view networks (no confidence) and the encoder.</summary>
    public static IReadOnlyList<string> NetworkKeys { get; } = ["netD", "netA", "netL", "netV", EncoderKey];

    readonly PyDict _root;

    Gan2ShapeWeights(PyDict root, string path, Gan2ShapeConfig config)
    {
        _root = root;
        Path = path;
        Config = config;
        Origin = RunOrigin.Of(path);
        TrainSeconds = root.TryGet(Gan2ShapeJointTraining.SecondsKey, out var t) && t is double seconds ? seconds : null;
    }

    /// <summary>The file, the config it was trained with, and "NAME sha256:HEX" of its bytes.</summary>
    public string Path { get; }
    public Gan2ShapeConfig Config { get; }
    public string Origin { get; }

    /// <summary>The joint pre-training's wall seconds of fitting, where the file stores them.</summary>
    public double? TrainSeconds { get; }

    /// <summary>Loads a file and checks that it is a GAN2Shape file with every network.</summary>
    /// <exception cref="Gan2ShapeException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is corrupt, truncated, not GAN2Shape's or lacks a network.</exception>
    public static Gan2ShapeWeights Load(string path)
    {
        var root = LoadRoot(path);
        try
        {
            var config = ReadConfig(root, path);
            foreach (var key in NetworkKeys)
                if (!root.TryGet(key, out var value) || value is not PyDict)
                    throw new CheckpointFormatException(path, $"no '{key}' state dict in it");
            return new Gan2ShapeWeights(root, path, config);
        }
        catch { TorchCheckpoint.DisposeTensors(root); throw; }
    }

    /// <summary>Loads a file and checks that it is GAN2Shape's (the caller disposes its tensors).</summary>
    internal static PyDict LoadRoot(string path)
    {
        if (!File.Exists(path)) throw new Gan2ShapeException(path, "GAN2Shape file not found");
        var loaded = TorchCheckpoint.Load(path);
        if (loaded is not PyDict dict || !dict.ContainsKey(ConfigKey))
        {
            TorchCheckpoint.DisposeTensors(loaded);
            throw new CheckpointFormatException(path, $"not a GAN2Shape file (no '{ConfigKey}' in it)");
        }
        return dict;
    }

    internal static Gan2ShapeConfig ReadConfig(PyDict root, string path)
    {
        if (!root.TryGet(ConfigKey, out var value) || value is not string json) throw new CheckpointFormatException(path, $"'{ConfigKey}' is not a string");
        try
        {
            var config = JsonSerializer.Deserialize<Gan2ShapeConfig>(json) ?? throw new CheckpointFormatException(path, "empty config");
            return config.Problem() is { } problem ? throw new CheckpointFormatException(path, $"its config cannot be used: {problem}") : config;
        }
        catch (JsonException e) { throw new CheckpointFormatException(path, $"unreadable config ({e.Message})"); }
    }

    /// <summary>The networks of <paramref name="instance"/> and its config as a file's dict (add progress keys, then save).</summary>
    internal static PyDict ToDict(Gan2ShapeInstance instance)
    {
        var root = new PyDict();
        foreach (var (key, module) in instance.Model.Networks.Append((EncoderKey, (TorchSharp.torch.nn.Module)instance.Encoder)))
        {
            var sd = new PyDict { IsOrdered = true };
            foreach (var (k, v) in StateDict.Export(module)) sd.Set(k, v);
            root.Set(key, sd);
        }
        root.Set(ConfigKey, instance.Config.ToJson());
        return root;
    }

    /// <summary>
    /// Loads the networks into a fit's fresh networks, strictly. The fit's networks must have the sizes these were
    /// trained with (image size, widths, bottleneck, latent encoder width); its schedule may differ.
    /// </summary>
    public void ApplyTo(Gan2ShapeConfig fit, Unsup3dModel model, LatentEncoder encoder)
    {
        if (fit.ImageSize != Config.ImageSize || fit.Channels != Config.Channels || fit.Bottleneck != Config.Bottleneck
            || fit.LatentEncoderChannels != Config.LatentEncoderChannels)
            throw new Gan2ShapeException(Path, $"networks of {Config.ImageSize} px, widths {Config.Channels}, bottleneck {Config.Bottleneck}, latent encoder " +
                $"{Config.LatentEncoderChannels}; the fit's are {fit.ImageSize} px, {fit.Channels}, {fit.Bottleneck}, {fit.LatentEncoderChannels}");
        LoadInto(_root, Path, model, encoder);
    }

    internal static void LoadInto(PyDict root, string path, Unsup3dModel model, LatentEncoder encoder)
    {
        foreach (var (key, module) in model.Networks.Append((EncoderKey, (TorchSharp.torch.nn.Module)encoder)))
        {
            if (!root.TryGet(key, out var value) || value is not PyDict sd) throw new CheckpointFormatException(path, $"no '{key}' state dict in it");
            var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
            try { StateDict.Load(module, dict, strict: true); }
            catch (StateDictMismatchException e) { throw new CheckpointFormatException(path, $"'{key}' does not fit its config's networks: {e.Report}"); }
        }
    }

    public void Dispose() => TorchCheckpoint.DisposeTensors(_root);
}
