using LiftedGan.Checkpoints;
using LiftedGan.Cli;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Export;

/// <summary>
/// One tiny teacher (64 px, 16 channels, style 32) and a real lift checkpoint made from it by a 2-step lift run,
/// shared by the export and controlled-generation tests (one collection, so it is made once).
/// </summary>
public sealed class LiftFixture : IDisposable
{
    public const string Collection = "lift checkpoint";

    public LiftFixture()
    {
        Dir = Directory.CreateTempSubdirectory("liftedgan-export").FullName;
        Teacher = Path.Combine(Dir, "teacher64.pt");
        var table = new Dictionary<int, int>();
        for (int r = 4; r <= 64; r *= 2) table[r] = 16;
        using (var g = new StyleGenerator(new GeneratorConfig { Size = 64, StyleDim = 32, MappingLayers = 2, Channels = table }, new torch.Generator(2)))
        {
            var root = new PyDict();
            root.Set("g_ema", StateDict.Export(g));
            TorchCheckpoint.Save(Teacher, root);
        }
        // Through the library (not the CLI's live progress display, which only one test may hold at a time).
        var run = Path.Combine(Dir, "run");
        var config = LiftingConfig.Synth64 with { Epochs = 1, StepsPerEpoch = 2, BatchSize = 2, AlbedoRankWeight = 0 };
        // One intra-op thread: tiny tensors on a shared machine, where extra threads only wait for each other.
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var trainer = LiftingRun.Open(config, new LiftingInputs(Teacher, run, null, null), _ => { });
            LiftingRun.Run(trainer, run);
        }
        finally { torch.set_num_threads(threads); }
        Checkpoint = LiftingRun.LatestCheckpoint(run)!;
    }

    public string Dir { get; }
    public string Teacher { get; }
    public string Checkpoint { get; }

    /// <summary>A fresh folder path under the fixture's temporary folder.</summary>
    public string NewPath(string name) => Path.Combine(Dir, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    public void Dispose() => Directory.Delete(Dir, true);
}

[CollectionDefinition(LiftFixture.Collection)]
public sealed class LiftFixtureCollection : ICollectionFixture<LiftFixture>;
