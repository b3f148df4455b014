using LiftedGan.Checkpoints;
using LiftedGan.IO;
using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Controlled generation with a trained LiftedGAN (the official tools generate_images, generate_poses and
/// generate_lighting, plus the summaries' side views): loads the teacher and a lift checkpoint, turns latents z into
/// truncated styles (ψ·w + (1 - ψ)·w_mu with w_mu from the run's seeded style statistics) and renders faces, pose and
/// light sweeps, interpolations, side views and meshes. Every method is deterministic in its inputs; images are
/// B×…×3×S×S in [-1, 1] on the CPU. Work runs in chunks of <see cref="ChunkSize"/> samples without gradients.
/// </summary>
public sealed class LiftedSampler : IDisposable
{
    LiftedSampler(LiftedGenerator model, StyleStatistics statistics, string checkpointPath)
    {
        Model = model;
        Statistics = statistics;
        CheckpointPath = checkpointPath;
    }

    public LiftedGenerator Model { get; }
    public StyleStatistics Statistics { get; }
    public string CheckpointPath { get; }
    public int StyleDim => Model.Config.StyleDim;
    public int ImageSize => Model.Config.ImageSize;

    /// <summary>Samples processed at once.</summary>
    public int ChunkSize { get; init; } = 8;

    /// <summary>Official yaw sweep angles in degrees: -45..45 step 3.</summary>
    public static IReadOnlyList<double> YawAngles { get; } = Enumerable.Range(0, 31).Select(i => -45.0 + 3 * i).ToArray();

    /// <summary>Official pitch sweep angles in degrees: -15..15 step 1.</summary>
    public static IReadOnlyList<double> PitchAngles { get; } = Enumerable.Range(0, 31).Select(i => -15.0 + i).ToArray();

    /// <summary>Official light sweep angles in degrees: -60..60 step 6.</summary>
    public static IReadOnlyList<double> LightAngles { get; } = Enumerable.Range(0, 21).Select(i => -60.0 + 6 * i).ToArray();

    /// <summary>
    /// Loads a lift checkpoint (config from <see cref="LiftedCheckpoint.ConfigFileName"/> beside it, else the preset
    /// of the teacher's resolution) and its teacher. A StyleGAN2 checkpoint given as the lift is refused with a hint.
    /// </summary>
    public static LiftedSampler Open(string checkpointPath, string teacherPath)
    {
        var model = LiftedCheckpoint.Open(checkpointPath, teacherPath);
        return new LiftedSampler(model, StyleStatistics.Compute(model.Teacher, model.Config.StatisticsSamples, model.Config.Seed), checkpointPath);
    }

    /// <summary>N latents z ~ N(0, I) (N×D, float32) from a seed.</summary>
    public Tensor RandomLatents(int n, long seed)
    {
        if (n < 1) throw new SamplingException("count", $"{n}: must be at least 1");
        return randn(new long[] { n, StyleDim }, generator: new TorchSharp.torch.Generator((ulong)seed));
    }

    /// <summary>Latents from a .npy file: N×D float32 (float64 is converted), finite.</summary>
    public Tensor LoadLatents(string path)
    {
        using var loaded = Npy.Load(path);
        return CheckLatents(loaded, path).clone();
    }

    /// <summary>Checks latents N×D (D the teacher's style size), float32 or float64, finite; returns float32 on the CPU.</summary>
    public Tensor CheckLatents(Tensor z, string name)
    {
        if (z.dtype != ScalarType.Float32 && z.dtype != ScalarType.Float64)
            throw new SamplingException(name, $"latents must be float32 (or float64), got {z.dtype}");
        if (z.dim() != 2 || z.shape[1] != StyleDim || z.shape[0] < 1)
            throw new SamplingException(name, $"latents must be N x {StyleDim} (the teacher's style size), got [{string.Join(", ", z.shape)}]");
        if (!z.isfinite().all().item<bool>()) throw new SamplingException(name, "latents contain NaN or infinity");
        return z.cpu().to(ScalarType.Float32);
    }

    /// <summary>Truncated styles ψ·map(z) + (1 - ψ)·w_mu, N×D.</summary>
    public Tensor Styles(Tensor z, double truncation)
    {
        if (!double.IsFinite(truncation) || truncation < 0) throw new SamplingException("truncation", $"{truncation}: must be a finite number ≥ 0");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = Model.Teacher.Map(z.to(TorchRuntime.Device));
        return (w * truncation + Statistics.Mean.to(w.device) * (1 - truncation)).MoveToOuterDisposeScope();
    }

    /// <summary>The teacher's images, the lifted rendering and the canonical maps of each latent (shading relative to each face's brightest pixel).</summary>
    public FaceMaps Maps(Tensor z, double truncation) => MapsOfChunks(StyleChunks(z, truncation));

    /// <summary>
    /// <see cref="Maps"/> of styles w (N×D) given directly (e.g. a photo's projection into the teacher) instead of
    /// latents and a truncation.
    /// </summary>
    public FaceMaps MapsOfStyles(Tensor w) => MapsOfChunks(StyleChunks(CheckStyles(w)));

    FaceMaps MapsOfChunks(IEnumerable<Tensor> styleChunks)
    {
        var parts = new List<FaceMaps>();
        try
        {
            foreach (var w in styleChunks)
                using (w)
                    parts.Add(MapsOf(w));
            Tensor Cat(Func<FaceMaps, Tensor> pick) => cat(parts.Select(pick).ToArray(), 0);
            return new FaceMaps(Cat(m => m.Teacher), Cat(m => m.Render), Cat(m => m.Depth), Cat(m => m.Normal), Cat(m => m.Shading), Cat(m => m.Albedo));
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }

    FaceMaps MapsOf(Tensor w)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (teacher, _) = Model.Synthesize(w);
        using var e = Model.Estimate(w);
        using var shaded = Model.Render(e.Depth, e.Albedo, e.Light, e.View, e.TransformationMap);
        var depth = DepthGeometry.MinMaxNormalize(-e.Depth).unsqueeze(1).repeat(1, 3, 1, 1) * 2 - 1;
        var normal = shaded.CanonNormal.permute(0, 3, 1, 2);
        // The predicted light's ambient + diffuse often exceeds 1; shown relative to each face's brightest pixel.
        var shadingMax = shaded.CanonShading.amax([1, 2, 3], keepdim: true).clamp_min(1e-6);
        var shading = (shaded.CanonShading / shadingMax * 2 - 1).repeat(1, 3, 1, 1);
        Tensor Out(Tensor t) => t.cpu().MoveToOuterDisposeScope();
        return new FaceMaps(Out(teacher.clamp(-1, 1)), Out(shaded.Render.Image.clamp(-1, 1)), Out(depth), Out(normal), Out(shading.clamp(-1, 1)), Out(e.Albedo.clamp(-1, 1)));
    }

    /// <summary>
    /// Official generate_poses raw view for a yaw or pitch angle (degrees): rotation angle/60 on its axis (yaw negated,
    /// so positive turns towards image right) and the heuristic translations sin(view1)·0.1 and -sin(view0)·0.2.
    /// </summary>
    public static double[] PoseView(PoseAxis axis, double degrees)
    {
        double v0 = axis == PoseAxis.Pitch ? degrees / 60 : 0;
        double v1 = axis == PoseAxis.Yaw ? -degrees / 60 : 0;
        return new[] { v0, v1, 0, Math.Sin(v1) * 0.1, -Math.Sin(v0) * 0.2, 0 };
    }

    /// <summary>
    /// Pose sweep N×T×3×S×S with the predicted light and transformation map: the official 31 angles for the axis, or
    /// with <paramref name="maxDegrees"/> 31 evenly spaced angles from −max to +max.
    /// </summary>
    public Tensor PoseSweep(Tensor z, PoseAxis axis, double truncation, double? maxDegrees = null)
    {
        var angles = SweepAngles(axis, maxDegrees);
        return Sweep(StyleChunks(z, truncation), angles.Count, (e, t) => (e.Light, RawView(e, PoseView(axis, angles[t])))).Frames;
    }

    /// <summary><see cref="PoseSweep"/> of styles w (N×D) given directly.</summary>
    public Tensor PoseSweepOfStyles(Tensor w, PoseAxis axis, double? maxDegrees = null)
    {
        var angles = SweepAngles(axis, maxDegrees);
        return Sweep(StyleChunks(CheckStyles(w)), angles.Count, (e, t) => (e.Light, RawView(e, PoseView(axis, angles[t])))).Frames;
    }

    static IReadOnlyList<double> SweepAngles(PoseAxis axis, double? maxDegrees) => maxDegrees is { } m
        ? (m > 0 && m <= 90 ? Enumerable.Range(0, 31).Select(i => -m + m * i / 15).ToArray()
            : throw new SamplingException("max angle", $"{m}: must be in (0, 90] degrees"))
        : axis == PoseAxis.Yaw ? YawAngles : PitchAngles;

    /// <summary>
    /// Official generate_lighting: raw light [0.2, 0.8, tan θ, 0] for θ in <see cref="LightAngles"/>, predicted view and
    /// transformation map. Frames N×T×3×S×S and canonical shading maps N×T×3×S×S (shading·2 - 1).
    /// </summary>
    public (Tensor Frames, Tensor Shading) LightSweep(Tensor z, double truncation) => LightSweepOf(StyleChunks(z, truncation));

    /// <summary><see cref="LightSweep"/> of styles w (N×D) given directly.</summary>
    public (Tensor Frames, Tensor Shading) LightSweepOfStyles(Tensor w) => LightSweepOf(StyleChunks(CheckStyles(w)));

    (Tensor Frames, Tensor Shading) LightSweepOf(IEnumerable<Tensor> styleChunks) =>
        Sweep(styleChunks, LightAngles.Count, (e, t) =>
        {
            var light = tensor(new[] { 0.2f, 0.8f, (float)Math.Tan(LightAngles[t] * Math.PI / 180), 0f }, device: e.Light.device)
                .view(1, 4).expand(e.Light.shape[0], 4);
            return (light, e.View);
        });

    static Tensor RawView(LiftedEstimate e, double[] view) =>
        tensor(view.Select(v => (float)v).ToArray(), device: e.View.device).view(1, 6).expand(e.View.shape[0], 6);

    (Tensor Frames, Tensor Shading) Sweep(IEnumerable<Tensor> styleChunks, int count, Func<LiftedEstimate, int, (Tensor Light, Tensor View)> pose)
    {
        var frames = new List<Tensor>();
        var shadings = new List<Tensor>();
        foreach (var w in styleChunks)
        {
            using var owned = w;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var e = Model.Estimate(w);
            var f = new List<Tensor>();
            var s = new List<Tensor>();
            for (int t = 0; t < count; t++)
            {
                var (light, view) = pose(e, t);
                using var r = Model.Render(e.Depth, e.Albedo, light, view, e.TransformationMap);
                f.Add(r.Render.Image.clamp(-1, 1));
                s.Add((r.CanonShading * 2 - 1).clamp(-1, 1).repeat(1, 3, 1, 1));
            }
            frames.Add(stack(f, 1).cpu().MoveToOuterDisposeScope());
            shadings.Add(stack(s, 1).cpu().MoveToOuterDisposeScope());
        }
        return (Concat(frames), Concat(shadings));
    }

    /// <summary>
    /// Interpolation between two latents (1×D each): <paramref name="steps"/> styles on the line between their
    /// truncated styles, each rendered at every yaw in <paramref name="yawDegrees"/> (official pose views, predicted
    /// light): steps×Y×3×S×S.
    /// </summary>
    public Tensor Interpolate(Tensor z0, Tensor z1, int steps, IReadOnlyList<double> yawDegrees, double truncation)
    {
        if (steps < 2) throw new SamplingException("steps", $"{steps}: must be at least 2");
        if (yawDegrees.Count == 0) throw new SamplingException("yaw angles", "none given");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w0 = Styles(z0.view(1, -1), truncation);
        var w1 = Styles(z1.view(1, -1), truncation);
        var t = linspace(0, 1, steps, device: w0.device).view(-1, 1);
        var w = w0 + (w1 - w0) * t;
        var rows = new List<Tensor>();
        for (long start = 0; start < steps; start += ChunkSize)
        {
            using var e = Model.Estimate(w[(int)start..(int)Math.Min(steps, start + ChunkSize)]);
            var views = yawDegrees.Select(a =>
            {
                using var r = Model.Render(e.Depth, e.Albedo, e.Light, RawView(e, PoseView(PoseAxis.Yaw, a)), e.TransformationMap);
                return r.Render.Image.clamp(-1, 1);
            }).ToArray();
            rows.Add(stack(views, 1));
        }
        return cat(rows, 0).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The summaries' side views (official add_videos): the whole canonical mesh turned from +90° to -90° yaw in 9 steps
    /// after a -6° pitch, once with neutral shading (0.8·max(n_z, 0)) and once coloured by its normals; N×9×3×S×S each.
    /// </summary>
    public (Tensor Neutral, Tensor Normals) SideView(Tensor z, double truncation, double maxYawDegrees = 90, int samples = 9) =>
        SideViewOf(StyleChunks(z, truncation), maxYawDegrees, samples);

    /// <summary><see cref="SideView"/> of styles w (N×D) given directly.</summary>
    public (Tensor Neutral, Tensor Normals) SideViewOfStyles(Tensor w, double maxYawDegrees = 90, int samples = 9) =>
        SideViewOf(StyleChunks(CheckStyles(w)), maxYawDegrees, samples);

    (Tensor Neutral, Tensor Normals) SideViewOf(IEnumerable<Tensor> styleChunks, double maxYawDegrees, int samples)
    {
        var neutral = new List<Tensor>();
        var normals = new List<Tensor>();
        foreach (var w in styleChunks)
        {
            using var owned = w;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var e = Model.Estimate(w);
            var n = Model.Renderer.Normals(e.Depth);
            var before = zeros(e.Depth.shape[0], 6, device: e.Depth.device);
            before[.., 0] = -6 * Math.PI / 180;
            var shade = Lighting.NeutralShading(n).permute(0, 3, 1, 2).contiguous();
            neutral.Add(Model.Renderer.RenderYaw(e.Depth, shade, maxYawDegrees, samples, before).cpu().MoveToOuterDisposeScope());
            normals.Add(Model.Renderer.RenderYaw(e.Depth, n.permute(0, 3, 1, 2).contiguous(), maxYawDegrees, samples, before).cpu().MoveToOuterDisposeScope());
        }
        return (Concat(neutral), Concat(normals));
    }

    /// <summary>
    /// The surface of each latent as a mesh is built from it: depth (H, W) and colour (3, H, W) in [−1, 1], the albedo
    /// or the canonical image shaded with the predicted light (the output layer builds and writes the meshes).
    /// </summary>
    public IReadOnlyList<(Tensor Depth, Tensor Colour)> MeshSurfaces(Tensor z, double truncation, MeshTexture texture = MeshTexture.Albedo) =>
        MeshSurfacesOf(StyleChunks(z, truncation), texture);

    /// <summary><see cref="MeshSurfaces"/> of styles w (N×D) given directly.</summary>
    public IReadOnlyList<(Tensor Depth, Tensor Colour)> MeshSurfacesOfStyles(Tensor w, MeshTexture texture = MeshTexture.Albedo) =>
        MeshSurfacesOf(StyleChunks(CheckStyles(w)), texture);

    IReadOnlyList<(Tensor Depth, Tensor Colour)> MeshSurfacesOf(IEnumerable<Tensor> styleChunks, MeshTexture texture)
    {
        var surfaces = new List<(Tensor, Tensor)>();
        foreach (var w in styleChunks)
        {
            using var owned = w;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var e = Model.Estimate(w);
            Tensor colour = e.Albedo;
            if (texture == MeshTexture.Shaded)
            {
                using var light = Lighting.Parse(e.Light);
                colour = Lighting.Shade(e.Albedo, Lighting.Shading(Model.Renderer.Normals(e.Depth), light));
            }
            for (int i = 0; i < w.shape[0]; i++)
                surfaces.Add((e.Depth[i].MoveToOuterDisposeScope(), colour[i].clamp(-1, 1).MoveToOuterDisposeScope()));
        }
        return surfaces;
    }

    /// <summary>
    /// The same latents through two lift checkpoints: per latent a row [teacher, lifted A, depth A, lifted B, depth B],
    /// N×5×3×S×S. The two must share the teacher's resolution and style size.
    /// </summary>
    public static Tensor Compare(LiftedSampler a, LiftedSampler b, Tensor z, double truncation)
    {
        if (a.ImageSize != b.ImageSize || a.StyleDim != b.StyleDim)
            throw new SamplingException(b.CheckpointPath, $"does not match {a.CheckpointPath} ({b.ImageSize} px, style {b.StyleDim} vs {a.ImageSize} px, style {a.StyleDim})");
        using var ma = a.Maps(z, truncation);
        using var mb = b.Maps(z, truncation);
        return stack(new[] { ma.Teacher, ma.Render, ma.Depth, mb.Render, mb.Depth }, 1);
    }

    /// <summary>
    /// Checks styles w given directly: N×D (D the teacher's style size), floating point, finite; returns them as
    /// float32 on the model's device (a new handle the caller disposes).
    /// </summary>
    public Tensor CheckStyles(Tensor w)
    {
        if (!w.is_floating_point()) throw new SamplingException("styles", $"must be floating point, got {w.dtype}");
        if (w.dim() != 2 || w.shape[1] != StyleDim || w.shape[0] < 1)
            throw new SamplingException("styles", $"must be N x {StyleDim} (the teacher's style size), got [{string.Join(", ", w.shape)}]");
        using var scope = NewDisposeScope();
        if (!w.isfinite().all().item<bool>()) throw new SamplingException("styles", "contain NaN or infinity");
        return w.detach().to(ScalarType.Float32).to(TorchRuntime.Device).MoveToOuterDisposeScope();
    }

    /// <summary>The truncated styles of each chunk of latents, made as they are consumed (each owned by the consumer).</summary>
    IEnumerable<Tensor> StyleChunks(Tensor z, double truncation)
    {
        foreach (var chunk in Chunks(z)) yield return Styles(chunk, truncation);
    }

    /// <summary>Chunks of styles given directly (new handles owned by the consumer); disposes <paramref name="w"/> when done.</summary>
    IEnumerable<Tensor> StyleChunks(Tensor w)
    {
        try
        {
            foreach (var chunk in Chunks(w)) yield return chunk.alias();
        }
        finally { w.Dispose(); }
    }

    IEnumerable<Tensor> Chunks(Tensor z)
    {
        long n = z.shape[0];
        for (long s = 0; s < n; s += ChunkSize) yield return z[(int)s..(int)Math.Min(n, s + ChunkSize)];
    }

    static Tensor Concat(List<Tensor> parts)
    {
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    public void Dispose()
    {
        Model.Dispose();
        Model.Teacher.Dispose();
        Statistics.Dispose();
    }
}
