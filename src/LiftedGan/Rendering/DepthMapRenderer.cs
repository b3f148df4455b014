using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// LiftedGAN's renderer (the official models/renderers Renderer, on PyTorch3D 0.2.5): a canonical depth map becomes
/// a triangle mesh with one vertex per pixel, is re-posed by a view (and blended with the canonical mesh by an
/// optional transformation map), rasterised with hard blending on a background colour, and coloured by
/// interpolating per-vertex colours. Gradients reach depth, view, transformation map and colours through the
/// barycentrics. Built on the orthogonal pieces <see cref="PinholeCamera"/>, <see cref="ViewTransform"/>,
/// <see cref="Rasterizer"/> and <see cref="Interpolation"/>.
/// </summary>
/// <remarks>
/// Unlike the official class this one is stateless: every call takes its view (radians and world units, B x 6,
/// B x 5 or B x 3; convert raw network views with <see cref="ViewTransform.ScaleRawView"/>). Depth maps must be
/// S x S (S = <see cref="RendererOptions.ImageSize"/>). With CUDA tensors the rasteriser round-trips through host memory.
/// </remarks>
public sealed class DepthMapRenderer
{
    readonly ConcurrentDictionary<(long, long, string), Tensor> _faces = new();

    /// <summary>Creates a renderer; default options are the FFHQ config (256 px, fov 10°, depth 0.9–1.1).</summary>
    public DepthMapRenderer(RendererOptions? options = null)
    {
        Options = options ?? new RendererOptions();
        Options.Validate();
        Camera = new PinholeCamera(Options.ImageSize, Options.FieldOfViewDegrees);
    }

    /// <summary>The configuration.</summary>
    public RendererOptions Options { get; }

    /// <summary>The camera (intrinsics, unprojection, projection to screen).</summary>
    public PinholeCamera Camera { get; }

    /// <summary>The view transform of a view in radians and world units, about this renderer's rotation centre.</summary>
    public ViewTransform Transform(Tensor view) => ViewTransform.FromView(view, Options.CenterDepth);

    /// <summary>Camera-space points B x H x W x 3 of a depth map B x H x W.</summary>
    public Tensor DepthTo3dGrid(Tensor depth) => Camera.DepthTo3dGrid(CheckDepth(depth));

    /// <summary>Normals B x H x W x 3 of a depth map (see <see cref="DepthGeometry.NormalsFromDepth"/>).</summary>
    public Tensor Normals(Tensor depth, bool normalize = true) => DepthGeometry.NormalsFromDepth(Camera, CheckDepth(depth), normalize);

    /// <summary>The left and right 2 columns set to the border depth (1.05).</summary>
    public Tensor ClampBorder(Tensor depth) => DepthGeometry.ClampBorder(depth, Options.BorderDepth);

    /// <summary>The depth map's 3-D points warped by the view, B x H x W x 3.</summary>
    public Tensor WarpedGrid3d(Tensor depth, Tensor view)
    {
        using var scope = NewDisposeScope();
        using var t = Transform(view);
        return t.Warp(DepthTo3dGrid(depth)).MoveToOuterDisposeScope();
    }

    /// <summary>The depth map's 3-D points inverse-warped by the view, B x H x W x 3.</summary>
    public Tensor InverseWarpedGrid3d(Tensor depth, Tensor view)
    {
        using var scope = NewDisposeScope();
        using var t = Transform(view);
        return t.InverseWarp(DepthTo3dGrid(depth)).MoveToOuterDisposeScope();
    }

    /// <summary>Where each canonical pixel lands after the view, as a [-1, 1] grid B x H x W x 2 (grid_sample, align_corners).</summary>
    public Tensor WarpedGrid2d(Tensor depth, Tensor view)
    {
        using var scope = NewDisposeScope();
        return Camera.Grid3dTo2d(WarpedGrid3d(depth, view)).MoveToOuterDisposeScope();
    }

    /// <summary>Where each pixel lands after the inverse view, as a [-1, 1] grid B x H x W x 2.</summary>
    public Tensor InverseWarpedGrid2d(Tensor depth, Tensor view)
    {
        using var scope = NewDisposeScope();
        return Camera.Grid3dTo2d(InverseWarpedGrid3d(depth, view)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mesh vertices B x (H·W) x 3 of a depth map after the view: P = T·warp(P_c) + (1 - T)·P_c with T the
    /// transformation map B x 1 x H x W (T = 1 when null).
    /// </summary>
    public Tensor MeshVertices(Tensor depth, Tensor view, Tensor? transformationMap = null)
    {
        CheckDepth(depth);
        using var scope = NewDisposeScope();
        var canonical = Camera.DepthTo3dGrid(depth);
        using var t = Transform(view);
        RenderCheck.SameBatch(depth, nameof(depth), view, nameof(view));
        var warped = t.Warp(canonical);
        if (transformationMap is not null)
        {
            RenderCheck.Shape(transformationMap, nameof(transformationMap), depth.shape[0], 1, depth.shape[1], depth.shape[2]);
            RenderCheck.Finite(transformationMap, nameof(transformationMap));
            var m = transformationMap.permute(0, 2, 3, 1);
            warped = m * warped + (1 - m) * canonical;
        }
        return warped.reshape(depth.shape[0], -1, 3).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Renders a canonical depth map B x S x S coloured by <paramref name="image"/> (B x C x S x S, one colour per
    /// vertex) from <paramref name="view"/> (radians and world units), optionally blended by a transformation map
    /// B x 1 x S x S. The official Renderer.render with get_depth.
    /// </summary>
    public RenderResult Render(Tensor depth, Tensor image, Tensor view, Tensor? transformationMap = null)
    {
        CheckImage(depth, image);
        using var scope = NewDisposeScope();
        var vertices = MeshVertices(depth, view, transformationMap);
        return RenderVertices(vertices, GridMesh.VertexAttributes(image), depth.shape[1], depth.shape[2]).MoveToOuter();
    }

    /// <summary>The rendered depth B x S x S only (detached; background 1.2).</summary>
    public Tensor RenderDepth(Tensor depth, Tensor view, Tensor? transformationMap = null)
    {
        CheckDepth(depth);
        using var scope = NewDisposeScope();
        var vertices = MeshVertices(depth, view, transformationMap).detach();
        using var fragments = Rasterize(vertices, depth.shape[1], depth.shape[2], out var screen);
        var faces = Faces(depth.shape[1], depth.shape[2], vertices.device);
        var z = Interpolation.Interpolate(screen[.., .., 2..3], faces, fragments, Barycentrics(screen, faces, fragments), Options.BackgroundDepth);
        return z[.., .., .., 0].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Renders camera-space vertices B x (H·W) x 3 of an H x W grid mesh (<see cref="GridMesh.Faces"/>) with
    /// per-vertex attributes B x (H·W) x C.
    /// </summary>
    public RenderResult RenderVertices(Tensor vertices, Tensor attributes, long meshHeight, long meshWidth)
    {
        RenderCheck.Shape(vertices, nameof(vertices), -1, meshHeight * meshWidth, 3);
        return RenderMesh(vertices, Faces(meshHeight, meshWidth, vertices.device), attributes);
    }

    /// <summary>
    /// Renders any triangle mesh: camera-space vertices B x V x 3 (x right, y down, z forward), faces F x 3 shared by
    /// the batch, per-vertex attributes B x V x C (colours or any channels), with this renderer's camera, background
    /// and barycentric mode. The image is B x C x S x S.
    /// </summary>
    public RenderResult RenderMesh(Tensor vertices, Tensor faces, Tensor attributes)
    {
        RenderCheck.Shape(vertices, nameof(vertices), -1, -1, 3);
        RenderCheck.Shape(attributes, nameof(attributes), vertices.shape[0], vertices.shape[1], -1);
        RenderCheck.Finite(vertices, nameof(vertices));
        using var scope = NewDisposeScope();
        var screen = Camera.ToScreen(vertices);
        using var fragments = Rasterizer.Rasterize(screen, faces, Options.ImageSize, Options.ImageSize, Options.PerspectiveCorrect);
        var bary = Barycentrics(screen, faces, fragments);
        // One gather for colours and view z (the depth output, detached).
        long channels = attributes.shape[2];
        var z = screen.detach()[.., .., 2..3].to(attributes.dtype);
        var values = Interpolation.Interpolate(cat(new[] { attributes, z }, 2), faces, fragments, bary, Options.BackgroundColor);
        var image = values[.., .., .., ..(int)channels].permute(0, 3, 1, 2);
        var depth = where(fragments.Coverage, values[.., .., .., (int)channels].detach(), Options.BackgroundDepth);
        var mask = depth.lt(Options.BackgroundDepth).unsqueeze(1).to(attributes.dtype);
        return new RenderResult(image.contiguous().MoveToOuterDisposeScope(), depth.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// LiftedGAN.render: shades the albedo B x 3 x S x S with the raw light B x 4 (ambient, diffuse, direction; see
    /// <see cref="Lighting"/>) and normals of <paramref name="depth"/>, then renders it from the raw view B x 6
    /// (tanh range; scaled by <see cref="ViewTransform.ScaleRawView"/>) with the transformation map.
    /// <paramref name="geometryDepth"/> (default: depth) is what the mesh is built from — the official code passes
    /// the gradient-clipped depth there and keeps the plain depth for normals and shading.
    /// </summary>
    public ShadedRender RenderShaded(Tensor depth, Tensor albedo, Tensor rawLight, Tensor rawView,
        Tensor? transformationMap = null, bool useLight = true, Tensor? geometryDepth = null)
    {
        CheckImage(depth, albedo);
        RenderCheck.SameBatch(depth, nameof(depth), rawLight, nameof(rawLight));
        RenderCheck.SameBatch(depth, nameof(depth), rawView, nameof(rawView));
        using var scope = NewDisposeScope();
        var view = ViewTransform.ScaleRawView(rawView);
        using var light = Lighting.Parse(rawLight);
        var normal = Normals(depth);
        var shading = Lighting.Shading(normal, light);
        var canon = useLight ? Lighting.Shade(albedo, shading) : albedo.alias();
        var meshDepth = geometryDepth ?? depth;
        if (geometryDepth is not null && !geometryDepth.shape.SequenceEqual(depth.shape))
            throw new RenderInputException(nameof(geometryDepth), $"shape {RenderCheck.Describe(geometryDepth.shape)} differs from depth {RenderCheck.Describe(depth.shape)}");
        var render = Render(meshDepth, canon, view, transformationMap);
        return new ShadedRender(render.MoveToOuter(), canon.MoveToOuterDisposeScope(), normal.MoveToOuterDisposeScope(), shading.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Renders the whole mesh (no transformation map) for each (pitch, yaw) pair in degrees, rotating about the
    /// rotation centre without translation, giving B x T x C x S x S clamped to [-1, 1]. <paramref name="viewBefore"/>
    /// is undone (inverse warp) before the rotation and <paramref name="viewAfter"/> applied after it.
    /// </summary>
    public Tensor RenderSweep(Tensor depth, Tensor image, IReadOnlyList<(double PitchDegrees, double YawDegrees)> poses,
        Tensor? viewBefore = null, Tensor? viewAfter = null)
    {
        CheckImage(depth, image);
        if (poses.Count == 0) throw new RenderInputException(nameof(poses), "no poses to render");
        using var scope = NewDisposeScope();
        long b = depth.shape[0];
        var canonical = Camera.DepthTo3dGrid(depth).reshape(b, -1, 3);
        if (viewBefore is not null)
        {
            RenderCheck.SameBatch(depth, nameof(depth), viewBefore, nameof(viewBefore));
            using var before = Transform(viewBefore);
            canonical = before.InverseWarp(canonical);
        }
        using var after = viewAfter is null ? null : Transform(viewAfter);
        if (viewAfter is not null) RenderCheck.SameBatch(depth, nameof(depth), viewAfter, nameof(viewAfter));
        var colours = GridMesh.VertexAttributes(image);
        var frames = new List<Tensor>();
        foreach (var (pitch, yaw) in poses)
        {
            var angles = tensor(new[] { pitch * Math.PI / 180, yaw * Math.PI / 180, 0 }, dtype: ScalarType.Float64)
                .to(depth.dtype, depth.device).view(1, 3).expand(b, 3);
            using var rotate = Transform(angles);
            var vertices = rotate.Warp(canonical);
            if (after is not null) vertices = after.Warp(vertices);
            using var frame = RenderVertices(vertices, colours, depth.shape[1], depth.shape[2]);
            frames.Add(frame.Image.clamp(-1, 1));
        }
        return stack(frames, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The official render_yaw: yaw angles -linspace(-max, max, n) (from +max down to -max), pitch 0,
    /// B x n x C x S x S.
    /// </summary>
    public Tensor RenderYaw(Tensor depth, Tensor image, double maxDegrees = 90, int samples = 9,
        Tensor? viewBefore = null, Tensor? viewAfter = null)
    {
        if (samples < 1) throw new RenderInputException(nameof(samples), $"must be at least 1, got {samples}");
        var poses = Enumerable.Range(0, samples)
            .Select(i => (0.0, samples == 1 ? maxDegrees : maxDegrees - 2 * maxDegrees * i / (samples - 1)))
            .ToList();
        return RenderSweep(depth, image, poses, viewBefore, viewAfter);
    }

    /// <summary>Face list F x 3 (int32) of an H x W grid mesh on a device, cached.</summary>
    public Tensor Faces(long height, long width, Device device)
    {
        return _faces.GetOrAdd((height, width, device.ToString()), _ =>
        {
            var f = GridMesh.Faces(height, width, device);
            f.DetachFromDisposeScope();
            return f;
        });
    }

    RasterFragments Rasterize(Tensor vertices, long meshHeight, long meshWidth, out Tensor screen)
    {
        RenderCheck.Finite(vertices, nameof(vertices));
        screen = Camera.ToScreen(vertices);
        return Rasterizer.Rasterize(screen, Faces(meshHeight, meshWidth, vertices.device), Options.ImageSize, Options.ImageSize, Options.PerspectiveCorrect);
    }

    /// <summary>
    /// Differentiable barycentrics; without gradient (and in float32) the kernel's own barycentrics are the same
    /// numbers and are used as they are.
    /// </summary>
    static Tensor Barycentrics(Tensor screen, Tensor faces, RasterFragments fragments) =>
        screen.requires_grad || screen.dtype != ScalarType.Float32
            ? Interpolation.Barycentrics(screen, faces, fragments)
            : fragments.Barycentrics;

    Tensor CheckDepth(Tensor depth)
    {
        RenderCheck.Shape(depth, nameof(depth), -1, Options.ImageSize, Options.ImageSize);
        RenderCheck.Depth(depth, nameof(depth));
        return depth;
    }

    void CheckImage(Tensor depth, Tensor image)
    {
        CheckDepth(depth);
        RenderCheck.Shape(image, nameof(image), depth.shape[0], -1, depth.shape[1], depth.shape[2]);
        RenderCheck.Finite(image, nameof(image));
    }
}
