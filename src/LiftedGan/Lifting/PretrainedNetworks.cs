using LiftedGan.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Loads the frozen helper networks from user-supplied official files: torchvision's VGG16 (`vgg16-397923af.pth` or
/// any file with `features.*` keys; conv5 and classifier keys are ignored) and the official LResNet face embedding
/// (`lresnet_casia.pth.tar`: `model_state_dict` with DataParallel `module.` prefixes, or a bare state dict).
/// </summary>
public static class PretrainedNetworks
{
    /// <summary>VGG16 `features[0:23]` from a torchvision checkpoint.</summary>
    public static Vgg16Features LoadVgg16(string path)
    {
        var file = TorchCheckpoint.LoadStateDict(path);
        var vgg = new Vgg16Features();
        var wanted = vgg.state_dict().Keys.ToHashSet();
        var subset = file.Where(kv => wanted.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        LoadStrict(vgg, subset, path, "VGG16 features[0:23]");
        return vgg;
    }

    /// <summary>The official LResNet-18 face embedding.</summary>
    public static LResNetFaceEmbedding LoadLResNet(string path)
    {
        var root = TorchCheckpoint.Load(path);
        var dict = root is PyDict d && d.TryGet("model_state_dict", out var inner) ? inner : root;
        var flat = dict is PyDict pd
            ? pd.Where(kv => kv.Key is string && kv.Value is Tensor).ToDictionary(kv => StripPrefix((string)kv.Key!), kv => (Tensor)kv.Value!)
            : throw new CheckpointFormatException(path, "expected a state dict or a dict with 'model_state_dict'");
        var net = new LResNetFaceEmbedding();
        LoadStrict(net, flat, path, "LResNet-18 face embedding");
        net.eval();
        foreach (var p in net.parameters()) p.requires_grad = false;
        return net;
    }

    /// <summary>A face embedding for the identity loss (the official LResNet-18 layout).</summary>
    public static IFaceEmbedding LoadFaceEmbedding(string path) => LoadLResNet(path);

    static string StripPrefix(string key) => key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key;

    static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> dict, string path, string what)
    {
        try { StateDict.Load(module, dict, strict: true); }
        catch (StateDictMismatchException e)
        {
            throw new CheckpointFormatException(path, $"is not a {what} checkpoint: {e.Report}");
        }
    }
}
