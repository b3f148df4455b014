using System.Collections.Concurrent;
using LiftedGan.Rendering;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Synthetic;

/// <summary>
/// The procedural face world: draws faces (<see cref="FaceDraw"/>), builds their canonical depth and albedo
/// (<see cref="FaceModel"/>) and renders them with the project renderer (<see cref="DepthMapRenderer"/>: LiftedGAN's
/// camera, fov 10°, depth 0.9–1.1, rotation centre 1.0, transformation map keeping the background static) under the
/// drawn view and light. No disk access: a streaming source for training and the generator of `liftedgan synth`.
/// </summary>
public static class FaceWorld
{
    static readonly ConcurrentDictionary<int, DepthMapRenderer> Renderers = new();

    /// <summary>The renderer used for size <paramref name="size"/> (default LiftedGAN options at that size).</summary>
    public static DepthMapRenderer Renderer(int size)
    {
        FaceModel.CheckSize(size);
        return Renderers.GetOrAdd(size, s => new DepthMapRenderer(new RendererOptions { ImageSize = s }));
    }

    /// <summary>
    /// Draws <paramref name="n"/> new faces with <paramref name="generator"/> (one seed) and renders them at
    /// <paramref name="size"/>: images in [-1, 1] plus all ground truth. <paramref name="perIdentity"/> consecutive
    /// images share an identity; <paramref name="symmetric"/> zeroes the asymmetry parameter.
    /// </summary>
    public static FaceBatch SampleBatch(int n, int size, Generator generator, int perIdentity = 1, bool symmetric = false)
    {
        if (n <= 0) throw new SyntheticWorldException("n", $"{n}: must be at least 1");
        FaceModel.CheckSize(size);
        TorchRuntime.EnsureLoaded();
        long seed;
        using (var s = randint(0, long.MaxValue, new long[] { 1 }, dtype: int64, generator: generator)) seed = s.item<long>();
        var draws = Enumerable.Range(0, n).Select(i => FaceDraw.Create(seed, i, perIdentity, symmetric)).ToList();
        try { return Render(draws, size); }
        finally { draws.ForEach(d => d.Dispose()); }
    }

    /// <summary>
    /// One face under a sweep of yaw angles (degrees; pitch, roll and translation set to 0, everything else as drawn):
    /// for identity-versus-yaw evaluation and turntable figures.
    /// </summary>
    public static FaceBatch RenderYawSweep(FaceDraw draw, IReadOnlyList<double> yawDegrees, int size)
    {
        if (yawDegrees.Count == 0) throw new SyntheticWorldException("yaw", "no angles given");
        var draws = yawDegrees.Select(yaw =>
        {
            var row = (float[])draw.Parameters.Clone();
            foreach (var k in new[] { FaceParam.Pitch, FaceParam.Roll, FaceParam.TranslationX, FaceParam.TranslationY, FaceParam.TranslationZ })
                row[(int)k] = 0;
            row[(int)FaceParam.Yaw] = (float)yaw;
            return draw with { Parameters = row };
        }).ToList();
        return Render(draws, size);
    }

    /// <summary>A view B x 6 in radians and world units in LiftedGAN's raw (tanh) range: the inverse of <see cref="ViewTransform.ScaleRawView"/>.</summary>
    public static Tensor ToRawView(Tensor view)
    {
        double rotation = Math.PI / 180 * ViewTransform.RotationRangeDegrees;
        using var scale = tensor(new[]
        {
            (float)rotation, (float)rotation, (float)rotation, (float)ViewTransform.XyTranslationRange,
            (float)ViewTransform.XyTranslationRange, (float)ViewTransform.ZTranslationRange,
        });
        return view / scale;
    }

    /// <summary>
    /// Fills the isolated pixels no triangle covers (B x C x S x S <paramref name="values"/>, <paramref name="covered"/>
    /// B x 1 x S x S in {0, 1}) with the mean of their covered 3 x 3 neighbours. With blur radius 0 the rasteriser skips
    /// pixel centres lying exactly on a shared triangle edge; on the static background such centres line up along the
    /// image diagonals. Pixels without a covered neighbour keep their value.
    /// </summary>
    public static Tensor FillUncovered(Tensor values, Tensor covered)
    {
        using var scope = NewDisposeScope();
        var sum = nn.functional.avg_pool2d(values * covered, 3, stride: 1, padding: 1, count_include_pad: false);
        var count = nn.functional.avg_pool2d(covered, 3, stride: 1, padding: 1, count_include_pad: false);
        var fill = sum / count.clamp_min(1e-6);
        var use = covered.eq(0).logical_and(count.gt(0));
        return where(use, fill, values).MoveToOuterDisposeScope();
    }

    /// <summary>Renders the given draws at <paramref name="size"/> (a batch; the result does not depend on the batching).</summary>
    public static FaceBatch Render(IReadOnlyList<FaceDraw> draws, int size)
    {
        if (draws.Count == 0) throw new SyntheticWorldException("draws", "empty batch");
        var renderer = Renderer(size);
        using var scope = NewDisposeScope();
        int b = draws.Count;
        var parameters = tensor(draws.SelectMany(d => d.Parameters).ToArray()).view(b, FaceParameters.Count);
        var noise = stack(draws.Select(d => d.Noise).ToArray());
        var view = tensor(draws.SelectMany(d => d.View).ToArray()).view(b, 6);
        var light = tensor(draws.SelectMany(d => d.RawLight).ToArray()).view(b, 4);
        var rawView = ToRawView(view);
        using var face = FaceModel.Build(parameters, noise, size);

        // The same steps as DepthMapRenderer.RenderShaded, with the foreground rendered along as a fourth channel.
        var canonicalNormals = renderer.Normals(face.Depth);
        using var parsed = Lighting.Parse(light);
        var shaded = Lighting.Shade(face.Albedo, Lighting.Shading(canonicalNormals, parsed));
        using var render = renderer.Render(face.Depth, cat(new[] { shaded, face.Foreground.unsqueeze(1) }, 1), ViewTransform.ScaleRawView(rawView), face.TransformMap);
        var filled = FillUncovered(cat(new[] { render.Image, render.Depth.unsqueeze(1) }, 1), render.Mask);
        var images = filled[.., ..3].clamp(-1, 1);
        var renderedMask = filled[.., 3].clamp(0, 1);
        var renderedDepth = filled[.., 4];
        var normals = renderer.Normals(renderedDepth);
        return new FaceBatch
        {
            Images = images.contiguous().MoveToOuterDisposeScope(),
            CanonicalDepth = face.Depth.alias().MoveToOuterDisposeScope(),
            Albedo = face.Albedo.alias().MoveToOuterDisposeScope(),
            Mask = face.Foreground.alias().MoveToOuterDisposeScope(),
            TransformMap = face.TransformMap.alias().MoveToOuterDisposeScope(),
            RenderedDepth = renderedDepth.contiguous().MoveToOuterDisposeScope(),
            RenderedMask = renderedMask.contiguous().MoveToOuterDisposeScope(),
            Normals = normals.MoveToOuterDisposeScope(),
            View = view.MoveToOuterDisposeScope(),
            RawView = rawView.MoveToOuterDisposeScope(),
            Light = light.MoveToOuterDisposeScope(),
            Parameters = parameters.MoveToOuterDisposeScope(),
            Identities = draws.Select(d => d.Identity).ToArray(),
            Indices = draws.Select(d => d.Index).ToArray(),
        };
    }
}
