using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// Example grids of a dataset's first images (the "look" page): faces.png (rendered images), depth.png (rendered
/// depth, near = bright), normal.png (rendered normals, (n + 1)/2 as RGB) and albedo.png (canonical albedo).
/// </summary>
public static class SynthPreview
{
    /// <summary>Grid file names, in the order written.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "faces.png", "depth.png", "normal.png", "albedo.png" };

    /// <summary>Renders images 0..count-1 of <paramref name="options"/>' stream and writes the grids into <paramref name="folder"/>.</summary>
    public static void Write(SynthOptions options, int count, string folder, int columns = 8)
    {
        if (count <= 0) throw new SyntheticWorldException("grids", $"{count}: must be at least 1");
        using var scope = NewDisposeScope();
        var draws = Enumerable.Range(0, count).Select(i => FaceDraw.Create(options.Seed, i, options.PerIdentity, options.Symmetric)).ToList();
        using var batch = FaceWorld.Render(draws, options.Size);
        draws.ForEach(d => d.Dispose());
        WriteBatch(batch, folder, columns);
    }

    /// <summary>Writes the grids of a rendered batch into <paramref name="folder"/>, each name prefixed by <paramref name="prefix"/>.</summary>
    public static void WriteBatch(FaceBatch batch, string folder, int columns = 8, string prefix = "", int padding = 1)
    {
        using var scope = NewDisposeScope();
        var depth = ((1.06 - batch.RenderedDepth) / (1.06 - 0.92) * 2 - 1).clamp(-1, 1).unsqueeze(1).expand(-1, 3, -1, -1);
        var images = new[] { batch.Images, depth, batch.Normals.permute(0, 3, 1, 2), batch.Albedo };
        Directory.CreateDirectory(folder);
        for (int k = 0; k < Names.Count; k++)
            ImageIO.SavePng(Path.Combine(folder, prefix + Names[k]), ImageGrid.Make(images[k].contiguous(), columns, padding));
    }
}
