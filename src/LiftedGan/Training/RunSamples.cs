using LiftedGan.Imaging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Training;

/// <summary>
/// A training run's sample grids, written for the models so that they only return tensors: RUN/FOLDER/STEP.png
/// (six-digit step) and, given a TensorBoard writer, the same grid as a TensorBoard image.
/// </summary>
public static class RunSamples
{
    /// <summary>
    /// Writes <paramref name="images"/> (B×C×H×W in [−1, 1], clamped) as a grid of <paramref name="columns"/> columns
    /// to RUN/<paramref name="folder"/>/STEP.png, and to <paramref name="tb"/> under <paramref name="tag"/>; returns the path.
    /// </summary>
    public static string Write(string runDir, string folder, long step, Tensor images, int columns, SummaryWriter? tb = null, string? tag = null)
    {
        using var scope = NewDisposeScope();
        var grid = ImageGrid.Make(images.clamp(-1, 1).cpu(), columns);
        var path = Path.Combine(runDir, folder, $"{step:D6}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageIO.SavePng(path, grid);
        if (tb is not null && tag is not null) tb.add_img(tag, (grid + 1) / 2, (int)step);
        return path;
    }
}
