using System.Text.Json;
using LiftedGan.Checkpoints;
using LiftedGan.Torch;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// Control checkpoints: a PyTorch zip holding {'control_generator': state dict, 'config': JSON of
/// <see cref="ControlConfig"/>} (training checkpoints add the discriminator, optimisers and step).
/// </summary>
public static class ControlModel
{
    /// <summary>The dict a checkpoint of <paramref name="generator"/> starts from.</summary>
    public static PyDict ToCheckpoint(ControlGenerator generator)
    {
        var root = new PyDict();
        root.Set("control_generator", StateDict.Export(generator));
        root.Set("config", JsonSerializer.Serialize(generator.Config));
        return root;
    }

    /// <summary>Loads the generator of a control checkpoint (eval mode, frozen).</summary>
    public static ControlGenerator Load(string path)
    {
        if (!File.Exists(path)) throw new ControlException(path, "control checkpoint not found");
        TorchRuntime.EnsureLoaded();
        var root = TorchCheckpoint.Load(path) as PyDict ?? throw new ControlException(path, "not a control checkpoint (top level is not a dict)");
        try
        {
            var g = new ControlGenerator(ReadConfig(root, path));
            LoadWeights(g, root, path);
            g.eval();
            foreach (var p in g.parameters()) p.requires_grad = false;
            return g;
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    internal static ControlConfig ReadConfig(PyDict root, string path)
    {
        if (!root.TryGet("config", out var c) || c is not string json)
            throw new ControlException(path, "no 'config' in it (not a control checkpoint)");
        try { return JsonSerializer.Deserialize<ControlConfig>(json) ?? throw new ControlException(path, "unreadable config"); }
        catch (JsonException e) { throw new ControlException(path, $"unreadable config: {e.Message}"); }
    }

    internal static void LoadWeights(ControlGenerator g, PyDict root, string path)
    {
        if (!root.TryGet("control_generator", out var v) || v is not PyDict sd) throw new ControlException(path, "no 'control_generator' state dict in it");
        LoadStrict(g, sd, path, "control generator");
    }

    internal static void LoadStrict(nn.Module module, PyDict sd, string path, string what)
    {
        var dict = sd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
        try { StateDict.Load(module, dict, strict: true); }
        catch (StateDictMismatchException e) { throw new ControlException(path, $"{what} does not match: {e.Report}"); }
    }
}
