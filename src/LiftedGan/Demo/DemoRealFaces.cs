using LiftedGan.Lifting;
using LiftedGan.Packing;

namespace LiftedGan.Demo;

/// <summary>
/// The demo's real-face part: the StyleGAN2 trained on LFW photographs and its lift (<see cref="ShippedModels.RealStyleGan"/>,
/// <see cref="ShippedModels.RealLift"/>), written by <see cref="DemoGallery"/> into <see cref="FolderName"/> of the
/// results folder, its sections titled "Real faces: …". The procedural default stays the part that needs nothing.
/// </summary>
public static class DemoRealFaces
{
    /// <summary>Sub-folder of the results folder.</summary>
    public const string FolderName = "real-faces";

    /// <summary>Writes the real-face gallery for the faces of <paramref name="seed"/> and returns its page sections.</summary>
    public static IReadOnlyList<DemoSection> Write(ShippedModels models, long seed, string outDir, Action<string> log)
    {
        if (!models.HasRealFaces)
            throw new DemoException(models.RealLift, $"the real-face pair needs both {ShippedModels.RealStyleGanFile} and {ShippedModels.RealLiftFile} in {models.Folder}");
        string dir = Path.Combine(outDir, FolderName);
        DemoRun.PrepareFolder(dir);
        using var sampler = LiftedSampler.Open(models.RealLift, models.RealStyleGan);
        double psi = sampler.Model.Config.Truncation;
        using var z = sampler.RandomLatents(DemoRun.Faces, seed);
        var sections = DemoGallery.Write(sampler, z, psi, dir, step => log($"real faces: {step}"));
        return sections.Select((s, i) => s with
        {
            Id = $"{FolderName}-{s.Id}",
            Title = $"Real faces: {s.Title}",
            Caption = i == 0
                ? $"A StyleGAN2 trained on LFW photographs (greyscale, {sampler.ImageSize} px; models/README.md says how) and its lift. {s.Caption}"
                : s.Caption,
            Items = s.Items.Select(item => item with { Path = $"{FolderName}/{item.Path}" }).ToList(),
        }).ToList();
    }
}
