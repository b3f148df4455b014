using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Imaging;

/// <summary>Tiles a batch of images into one image, row by row (like torchvision's make_grid).</summary>
public static class ImageGrid
{
    /// <summary>
    /// Tiles (N, C, H, W) into (C, rows·(H+pad)+pad, cols·(W+pad)+pad). <paramref name="columns"/> ≤ 0 picks a
    /// near-square layout; the padding takes <paramref name="padValue"/> (in image units, default white).
    /// </summary>
    public static Tensor Make(Tensor batch, int columns = 0, int padding = 2, double padValue = 1.0)
    {
        if (batch.dim() != 4) throw new ArgumentException($"image grid: expected (N, C, H, W), got [{string.Join(", ", batch.shape)}]");
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        if (n == 0) throw new ArgumentException("image grid: empty batch");
        if (padding < 0) throw new ArgumentException($"image grid: padding {padding} < 0");
        int cols = columns > 0 ? (int)Math.Min(columns, n) : (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (int)((n + cols - 1) / cols);
        using var scope = NewDisposeScope();
        var grid = torch.full(new long[] { c, rows * (h + padding) + padding, cols * (w + padding) + padding }, padValue,
            dtype: batch.dtype, device: batch.device);
        for (int i = 0; i < n; i++)
        {
            long y = padding + i / cols * (h + padding), x = padding + i % cols * (w + padding);
            grid[.., (int)y..(int)(y + h), (int)x..(int)(x + w)] = batch[i];
        }
        return grid.MoveToOuterDisposeScope();
    }
}
