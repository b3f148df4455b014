using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.Tests.Demo;
using LiftedGan.Viewer;
using Xunit;

namespace LiftedGan.Tests.Viewer;

/// <summary>
/// Stand-in shipped models (tiny, untrained), one sampler of them and one static viewer of seeds 3 and 4, shared by
/// the viewer tests (one collection, made once).
/// </summary>
public sealed class ViewerFixture : IDisposable
{
    public const string Collection = "viewer models";

    public static readonly long[] StaticSeeds = { 3, 4 };

    public ViewerFixture()
    {
        Dir = Directory.CreateTempSubdirectory("liftedgan-viewer").FullName;
        Models = Path.Combine(Dir, "models");
        StandInModels.Write(Models);
        Sampler = LiftedSampler.Open(Path.Combine(Models, ShippedModels.LiftFile), Path.Combine(Models, ShippedModels.StyleGanFile));
        StaticSite = Path.Combine(Dir, "static");
        StaticPage = ViewerSite.WriteStatic(Sampler, StaticSeeds, Truncation, StaticSite);
    }

    public string Dir { get; }
    public string Models { get; }
    public LiftedSampler Sampler { get; }
    public double Truncation => Sampler.Model.Config.Truncation;
    public string StaticSite { get; }
    public string StaticPage { get; }

    /// <summary>A fresh folder path under the fixture's temporary folder.</summary>
    public string NewPath(string name) => Path.Combine(Dir, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        Sampler.Dispose();
        Directory.Delete(Dir, true);
    }
}

[CollectionDefinition(ViewerFixture.Collection)]
public sealed class ViewerFixtureCollection : ICollectionFixture<ViewerFixture>;
