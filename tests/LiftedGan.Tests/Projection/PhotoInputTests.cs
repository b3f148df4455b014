using LiftedGan.Imaging;
using LiftedGan.Projection;
using LiftedGan.Tests.Data;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Projection;

/// <summary>Reading a user's photo: crops, grey photos, and bad files named in typed errors.</summary>
public class PhotoInputTests
{
    static string Lfw(string name) => Path.Combine(LfwPreparationTests.Sample, name[..name.LastIndexOf('_')], name + ".jpg");

    [Fact]
    public void A_grey_lfw_photo_becomes_three_equal_channels_in_both_crops()
    {
        foreach (var crop in new[] { PhotoCrop.Centre, PhotoCrop.Lfw })
        {
            using var x = PhotoInput.Load(Lfw("Adam_Sandler_0001"), 64, crop);
            Assert.Equal(new long[] { 3, 64, 64 }, x.shape);
            Assert.True(x[0].eq(x[1]).all().item<bool>() && x[1].eq(x[2]).all().item<bool>(), $"{crop}: channels differ");
            Assert.InRange(x.min().item<float>(), -1, 1);
            Assert.InRange(x.max().item<float>(), -1, 1);
        }
        using var centre = PhotoInput.Load(Lfw("Adam_Sandler_0001"), 64, PhotoCrop.Centre);
        using var lfw = PhotoInput.Load(Lfw("Adam_Sandler_0001"), 64, PhotoCrop.Lfw);
        Assert.False(centre.eq(lfw).all().item<bool>(), "the LFW box is not applied");
    }

    [Fact]
    public void The_centre_crop_keeps_the_middle_of_a_wide_photo()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-photo-").FullName;
        try
        {
            // 96 x 32: red left third, green middle third, blue right third.
            using var image = zeros(3, 32, 96) - 1;
            image[0, .., ..32] = 1; image[1, .., 32..64] = 1; image[2, .., 64..] = 1;
            string path = Path.Combine(dir, "wide.png");
            ImageIO.SavePng(path, image);
            using var x = PhotoInput.Load(path, 16, PhotoCrop.Centre);
            Assert.Equal(new long[] { 3, 16, 16 }, x.shape);
            // Away from the two edge columns the resize blends with the neighbouring thirds: pure green.
            Assert.Equal(1, x[1, .., 2..14].mean().item<float>(), 3);
            Assert.Equal(-1, x[0, .., 2..14].mean().item<float>(), 3);
            Assert.Equal(-1, x[2, .., 2..14].mean().item<float>(), 3);
            Assert.True(x[0, .., 0].mean().item<float>() > -1, "the left edge should blend with the red third");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Bad_photos_are_typed_errors_naming_the_file_and_the_problem()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-photo-").FullName;
        try
        {
            string missing = Path.Combine(dir, "missing.jpg");
            var e = Assert.Throws<PhotoException>(() => PhotoInput.Load(missing, 64));
            Assert.Equal(missing, e.Path);
            Assert.Contains("does not exist", e.Message);

            string garbage = Path.Combine(dir, "garbage.jpg");
            File.WriteAllBytes(garbage, "not a jpeg at all"u8.ToArray());
            e = Assert.Throws<PhotoException>(() => PhotoInput.Load(garbage, 64));
            Assert.Equal(garbage, e.Path);
            Assert.Contains("garbage.jpg", e.Message);

            string tiny = Path.Combine(dir, "tiny.png");
            using (var t = zeros(3, 20, 24)) ImageIO.SavePng(tiny, t);
            e = Assert.Throws<PhotoException>(() => PhotoInput.Load(tiny, 64));
            Assert.Contains("too small", e.Problem);
            Assert.Contains("tiny.png", e.Message);

            e = Assert.Throws<PhotoException>(() => PhotoInput.Load(tiny, 16, PhotoCrop.Lfw));
            Assert.Contains("250 x 250", e.Problem);

            Assert.Throws<PhotoException>(() => PhotoInput.Load(dir, 64));
        }
        finally { Directory.Delete(dir, true); }
    }
}
