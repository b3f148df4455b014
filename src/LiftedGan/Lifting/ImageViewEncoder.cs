using LiftedGan.Rendering;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Reads the view from the teacher's image instead of its style (<see cref="LiftingConfig.ViewFromImage"/>; not in the
/// paper or the official code, whose netSD reads it from w): strided 3×3 convolutions with LeakyReLU down to 4×4, then
/// an MLP to the raw view (B, 6) = tanh([rx, ry, rz, tx, ty, tz]), the official netSD view head's units. Checkpoint key
/// <c>netVI</c>. With <c>disc</c> (<see cref="LiftingConfig.ViewInputDisc"/>) it sees its input through
/// <see cref="ImageRoll.Disc"/>, so that an image and the same image rotated about its centre show the same content.
/// </summary>
public sealed class ImageViewEncoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> features;
    readonly nn.Module<Tensor, Tensor> head;
    readonly Tensor? disc;

    /// <summary>An encoder for <paramref name="imageSize"/> px images (a power of two, at least 8), through a disc if <paramref name="disc"/>.</summary>
    public ImageViewEncoder(int imageSize, long width = 32, long hidden = 128, long viewDim = 6, bool disc = false) : base(nameof(ImageViewEncoder))
    {
        if (imageSize < 8 || (imageSize & (imageSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "the view encoder takes square images of a power-of-two size ≥ 8");
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long channels = 3, size = imageSize;
        for (int i = 0; size > 4; i++, size /= 2)
        {
            long next = width << Math.Min(i, 2);
            layers.Add(new GuardedConv2d(channels, next, 3, 2, 1));
            layers.Add(nn.LeakyReLU(0.2));
            channels = next;
        }
        features = nn.Sequential(layers);
        head = nn.Sequential(nn.Flatten(), nn.Linear(channels * 16, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, viewDim), nn.Tanh());
        RegisterComponents();
        // Not a parameter or buffer: the checkpoint layout stays the same with or without it.
        if (disc) this.disc = ImageRoll.Disc(imageSize);
    }

    /// <summary>Whether the encoder sees its input through the inscribed disc.</summary>
    public bool UsesDisc => disc is not null;

    /// <summary>Image (B, 3, S, S) in [−1, 1] → raw view (B, 6).</summary>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var input = disc is null ? image : image * disc.to(image.dtype, image.device);
        return head.forward(features.forward(input)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) disc?.Dispose();
        base.Dispose(disposing);
    }
}
