using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.StyleGan2;
using TorchSharp;

namespace LiftedGan.Tests.Demo;

/// <summary>Stand-in shipped models under the shipped names, made in a second and never trained (for the demo and viewer tests).</summary>
internal static class StandInModels
{
    /// <summary>Writes into <paramref name="dir"/> a tiny 64 px teacher, a freshly initialised synth_64 lift and a tiny identity embedding.</summary>
    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var table = new Dictionary<int, int>();
        for (int r = 4; r <= 64; r *= 2) table[r] = 16;
        using var g = new StyleGenerator(new GeneratorConfig { Size = 64, StyleDim = 32, MappingLayers = 2, Channels = table }, new torch.Generator(2));
        var teacher = new PyDict();
        teacher.Set("g_ema", StateDict.Export(g));
        TorchCheckpoint.Save(Path.Combine(dir, ShippedModels.StyleGanFile), teacher);

        var config = LiftingConfig.Synth64.ForTeacher(32) with { Seed = 4 };
        using (var model = new LiftedGenerator(g, config))
        {
            var lift = new PyDict();
            foreach (var (key, net) in model.Networks) lift.Set(key, StateDict.Export(net));
            lift.Set(LiftedCheckpoint.EmbeddedConfigKey, config.ToJson());
            TorchCheckpoint.Save(Path.Combine(dir, ShippedModels.LiftFile), lift);
        }
        using var identity = new IdentityEmbeddingNetwork(64, 4, 16);
        IdentityEmbeddingTraining.Save(Path.Combine(dir, ShippedModels.IdentityFile), identity, 4);
    }

    /// <summary>Copies the stand-in teacher and lift under the optional real-face names (the demo's real-face part).</summary>
    public static void WriteRealFaces(string dir)
    {
        File.Copy(Path.Combine(dir, ShippedModels.StyleGanFile), Path.Combine(dir, ShippedModels.RealStyleGanFile), true);
        File.Copy(Path.Combine(dir, ShippedModels.LiftFile), Path.Combine(dir, ShippedModels.RealLiftFile), true);
    }
}
