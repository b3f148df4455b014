using LiftedGan.Imaging;
using static TorchSharp.torch;

namespace LiftedGan.Projection;

/// <summary>How a photo is cut to the teacher's square.</summary>
public enum PhotoCrop
{
    /// <summary>The centred square of the whole photo (its shorter side), resized to the teacher's size.</summary>
    Centre,

    /// <summary>
    /// LFW's fixed centred 150 px box (x, y ∈ [50, 200)) of a 250 × 250 LFW photo, the crop the LFW teacher's data
    /// was prepared with (docs/real-faces.md), then resized.
    /// </summary>
    Lfw,
}

/// <summary>
/// A user's photo as the teacher sees it: read (PNG, JPEG, BMP, TGA; grey and alpha images become RGB with three
/// equal channels), cut (<see cref="PhotoCrop"/>), resized so the shorter side is the teacher's size (antialiased
/// bilinear, the StyleGAN2 trainer's own resize) and centre-cropped: (3, S, S) float32 in [−1, 1] on 8-bit levels.
/// </summary>
public static class PhotoInput
{
    /// <summary>LFW's photo side (pixels).</summary>
    public const int LfwSide = 250;

    /// <summary>LFW's centred face box: x and y from 50 to 200 (the same box as <c>data lfw</c>).</summary>
    public static readonly (int X, int Y, int Side) LfwBox = (50, 50, 150);

    /// <summary>
    /// The smallest square (after the crop) accepted for a teacher of <paramref name="size"/> px: half the teacher's size
    /// (at most a 2× enlargement) and never below 8 px.
    /// </summary>
    public static int MinimumSide(int size) => Math.Max(8, size / 2);

    /// <summary>Reads and cuts <paramref name="path"/> for a teacher of <paramref name="size"/> px.</summary>
    /// <exception cref="PhotoException">The file is missing, unreadable, too small, or not 250 × 250 for the LFW crop.</exception>
    public static Tensor Load(string path, int size, PhotoCrop crop = PhotoCrop.Centre)
    {
        if (size < 8) throw new ProjectionException("size", $"{size}: the teacher's size must be at least 8 px");
        if (Directory.Exists(path)) throw new PhotoException(path, "is a folder, not a photo");
        if (!File.Exists(path)) throw new PhotoException(path, "does not exist");
        Tensor image;
        try { image = ImageIO.Load(path); }
        catch (ImageFormatException e) { throw new PhotoException(path, e.Problem, e); }
        using (image)
            return Cut(image, size, crop, path);
    }

    /// <summary>Cuts a (3, H, W) image in [−1, 1] as <see cref="Load"/> does; <paramref name="name"/> names it in errors.</summary>
    public static Tensor Cut(Tensor image, int size, PhotoCrop crop, string name = "photo")
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new PhotoException(name, $"expected a (3, H, W) image, got [{string.Join(", ", image.shape)}]");
        long h = image.shape[1], w = image.shape[2];
        using var scope = NewDisposeScope();
        var x = image;
        if (crop == PhotoCrop.Lfw)
        {
            if (h != LfwSide || w != LfwSide)
                throw new PhotoException(name, $"is {w} x {h} px; the LFW crop needs a {LfwSide} x {LfwSide} LFW photo (use the centre crop for other photos)");
            x = x.narrow(1, LfwBox.Y, LfwBox.Side).narrow(2, LfwBox.X, LfwBox.Side);
        }
        long side = Math.Min(x.shape[1], x.shape[2]);
        if (side < MinimumSide(size))
            throw new PhotoException(name, $"too small: {w} x {h} px gives a {side} px square; a {size} px teacher needs at least {MinimumSide(size)} px");
        var u8 = ImageIO.SquareBytes(x, size);
        return (u8.to(ScalarType.Float32) / 127.5 - 1).MoveToOuterDisposeScope();
    }
}
