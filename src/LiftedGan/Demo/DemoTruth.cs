using System.Globalization;
using LiftedGan.Export;
using LiftedGan.Lifting;
using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Demo;

/// <summary>
/// The demo's comparison with the face world's exact truth, for a world-fit teacher (its latent z gives the exact depth,
/// view and mask of its image; exact at ψ 1 only, so this section samples at ψ 1 whatever the page's truncation). One
/// column per face; rows: the teacher's image, the world's render of the same z, the lifted rendering, the predicted
/// and the true canonical depth, the predicted and the true depth in the image's view. Depth maps are shown near =
/// bright, each normalised to its own range on its foreground (the true one for canonical maps, each method's own in
/// view), black elsewhere. A table beside gives each face's predicted and true yaw, pitch and roll.
/// </summary>
public static class DemoTruth
{
    /// <summary>Row captions of the grid, top to bottom.</summary>
    public static IReadOnlyList<string> Rows { get; } =
    [
        "teacher (ψ 1)", "world render of the same z", "lifted rendering", "predicted canonical depth", "true canonical depth",
        "predicted depth in view", "true depth in view",
        "what makes each predicted canonical depth its own", "what makes each true canonical depth its own",
    ];

    /// <summary>Writes truth/truth.png and returns its section; <paramref name="z"/> N × style latents.</summary>
    public static DemoSection Write(LiftedSampler sampler, Tensor z, string outDir)
    {
        int size = sampler.ImageSize;
        if (!FaceModel.Sizes.Contains(size))
            throw new DemoException("teacher", $"{size} px: the face world renders at {string.Join(", ", FaceModel.Sizes)} px only");
        if (sampler.StyleDim < LatentFaces.MinimumDimension)
            throw new DemoException("teacher", $"latent size {sampler.StyleDim} is below the world map's {LatentFaces.MinimumDimension}: not a world-fit teacher");
        string dir = Path.Combine(outDir, "truth");
        SampleOutput.CheckFolder(dir);
        Directory.CreateDirectory(dir);
        var table = new List<IReadOnlyList<string>>();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var model = sampler.Model;
            var w = sampler.Styles(z, 1);
            var (teacher, _) = model.Synthesize(w);
            using var truth = LatentFaces.Truth(z.cpu().to(ScalarType.Float32), size);
            using var e = model.Estimate(w);
            using var shaded = model.Render(e.Depth, e.Albedo, e.Light, e.View, e.TransformationMap);
            var trueMask = truth.Mask.gt(0.5);
            var liftValid = shaded.Render.Mask.squeeze(1).gt(0.5).logical_and(shaded.Render.Depth.lt(model.Config.BorderDepth - 0.01)).cpu();
            var rows = new[]
            {
                teacher.clamp(-1, 1).cpu(), truth.Images, shaded.Render.Image.clamp(-1, 1).cpu(),
                Near(e.Depth.cpu(), trueMask), Near(truth.CanonicalDepth, trueMask),
                Near(shaded.Render.Depth.cpu(), liftValid), Near(truth.RenderedDepth, truth.RenderedMask.gt(0.5)),
                OwnShape(e.Depth.cpu(), trueMask), OwnShape(truth.CanonicalDepth, trueMask),
            };
            SampleOutput.SaveRows(dir, stack(rows, 0), "truth");
            var predicted = (e.View[.., ..3].cpu() * 60).to(ScalarType.Float64);
            var actual = (truth.View[.., ..3] * (180 / Math.PI)).to(ScalarType.Float64);
            for (int i = 0; i < z.shape[0]; i++)
            {
                string Angle(int axis) => string.Create(CultureInfo.InvariantCulture,
                    $"{predicted[i, axis].item<double>():F1} / {actual[i, axis].item<double>():F1}");
                table.Add([(i + 1).ToString(CultureInfo.InvariantCulture), Angle(1), Angle(0), Angle(2)]);
            }
        }
        return new DemoSection("truth", "Against the exact truth",
            "The teacher is fitted to the procedural face world, so each latent z has a known depth and pose (exact at ψ 1). " +
            $"One column per face, rows top to bottom: {string.Join("; ", Rows)}. Depth near = bright, normalised per map on its foreground. " +
            "The last two rows show each face's canonical depth minus its own mean and minus the mean of these faces, on the pixels that are " +
            "face in every true map: red nearer than the average face, blue farther, each row scaled to its own spread (what the distinctiveness " +
            "score correlates; a lift that gives every face the same depth shows noise there). " +
            "`liftedgan eval truth` measures the same on hundreds of faces.",
            [new DemoItem("truth/truth.png", "one column per face"), new DemoItem("truth/truth.gif", "one frame per row")],
            new DemoTable(["face", "yaw predicted / true (°)", "pitch (°)", "roll (°)"], table));
    }

    /// <summary>
    /// Between-face depth differences as images B x 3 x S x S in [-1, 1]: on the pixels foreground in every map of
    /// <paramref name="mask"/>, each depth minus its own mean there, minus the mean over the batch; red where nearer than
    /// the average face, blue where farther, white at 0, full colour at 2.5 standard deviations of the row; black off the common mask.
    /// </summary>
    internal static Tensor OwnShape(Tensor depth, Tensor mask)
    {
        var common = mask.all(0).to(ScalarType.Float32).unsqueeze(0);
        long count = Math.Max(1L, (long)common.sum().item<float>());
        var own = depth * common;
        own = (own - own.sum([1, 2], keepdim: true) / count) * common;
        own = (own - own.mean([0], keepdim: true)) * common;
        var spread = own.pow(2).sum().div(count * depth.shape[0]).sqrt().clamp_min(1e-9);
        var t = (-own / (2.5 * spread)).clamp(-1, 1);  // positive: nearer than the average face
        var red = 1 - (-t).clamp_min(0);
        var blue = 1 - t.clamp_min(0);
        var green = 1 - t.abs();
        return (stack([red, green, blue], 1) * common.unsqueeze(1)) * 2 - 1;
    }

    /// <summary>Depth B x S x S as an image B x 3 x S x S in [-1, 1]: near = bright, each map min–max on its mask, -1 off it.</summary>
    static Tensor Near(Tensor depth, Tensor mask)
    {
        var m = mask.to(ScalarType.Float32);
        var big = full_like(depth, 1e9f);
        var min = where(mask, depth, big).amin([1, 2], keepdim: true);
        var max = where(mask, depth, -big).amax([1, 2], keepdim: true);
        var near = ((max - depth) / (max - min).clamp_min(1e-6)).clamp(0, 1) * m;
        return (near * 2 - 1).unsqueeze(1).repeat(1, 3, 1, 1);
    }
}
