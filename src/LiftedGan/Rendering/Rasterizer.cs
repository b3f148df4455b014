using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Rendering;

/// <summary>
/// Hard triangle rasteriser (the forward pass of PyTorch3D 0.2.5's MeshRasterizer with blur 0, one face per pixel,
/// no culling), as a parallel C# kernel with a z-buffer. It needs no gradient: <see cref="Interpolation"/>
/// recomputes the barycentrics with torch ops from the selected faces, which is where gradients flow.
/// </summary>
/// <remarks>
/// Screen space: vertex (column, row, view z), with the centre of pixel (r, c) at (c, r) (see
/// <see cref="PinholeCamera.ToScreen"/>). A pixel is inside a face if all three barycentrics are strictly positive,
/// as in PyTorch3D. Edge values are computed in double so that two faces sharing an edge get exactly negated values
/// (no cracks between them); a pixel centre lying exactly on an edge — which PyTorch3D leaves to float rounding, and which happens along the whole image
/// anti-diagonal at an identity view because every vertex then sits on the regular grid — is given to exactly one
/// of the faces sharing that edge (a top-left rule), so meshes never crack there. Faces with a vertex at view z &lt; 1e-8 or a
/// near-zero area (|area| ≤ 1e-8 in NDC units) are skipped, as are pixels whose interpolated z is negative. The
/// nearest z wins; on ties the lower face index wins. Barycentrics are screen-space unless perspective correction
/// is asked for. CUDA inputs are copied to host memory, rasterised there and the results copied back.
/// </remarks>
public static unsafe class Rasterizer
{
    /// <summary>
    /// Rasterises B meshes that share one face list. <paramref name="screenVertices"/>: B x V x 3 (column, row,
    /// view z), any float dtype (read as float32, gradient ignored); <paramref name="faces"/>: F x 3 vertex indices
    /// (int32 or int64).
    /// </summary>
    public static RasterFragments Rasterize(Tensor screenVertices, Tensor faces, int height, int width, bool perspectiveCorrect = false)
    {
        RenderCheck.Shape(screenVertices, nameof(screenVertices), -1, -1, 3);
        if (height < 1 || width < 1) throw new RenderInputException(nameof(height), $"image size must be positive, got {height} x {width}");
        if (faces.dim() != 2 || faces.shape[1] != 3 || faces.shape[0] == 0)
            throw new RenderInputException(nameof(faces), $"expected a non-empty F x 3 index tensor, got {RenderCheck.Describe(faces.shape)}");
        if (faces.dtype is not (ScalarType.Int32 or ScalarType.Int64))
            throw new RenderInputException(nameof(faces), $"expected int32 or int64 indices, got {faces.dtype}");
        RenderCheck.Finite(screenVertices, nameof(screenVertices));
        long vertexCount = screenVertices.shape[1];
        using (var lo = faces.min().to(ScalarType.Int64)) using (var hi = faces.max().to(ScalarType.Int64))
            if (lo.item<long>() < 0 || hi.item<long>() >= vertexCount)
                throw new RenderInputException(nameof(faces), $"indices must lie in [0, {vertexCount}), got [{lo.item<long>()}, {hi.item<long>()}]");

        var device = screenVertices.device;
        long batch = screenVertices.shape[0];
        using var scope = NewDisposeScope();
        var verts = screenVertices.detach().to(ScalarType.Float32, CPU).contiguous();
        if (verts.storage_offset() != 0) verts = verts.clone();
        var faceList = faces.to(ScalarType.Int32, CPU).contiguous();
        if (faceList.storage_offset() != 0) faceList = faceList.clone();

        var faceIndex = empty(new[] { batch, height, width }, ScalarType.Int64);
        var bary = empty(new[] { batch, height, width, 3 }, ScalarType.Float32);
        var zbuf = empty(new[] { batch, height, width }, ScalarType.Float32);
        var job = new Job
        {
            Vertices = Pointer(verts),
            Faces = (int*)Pointer(faceList),
            FaceIndex = (long*)Pointer(faceIndex),
            Bary = Pointer(bary),
            Zbuf = Pointer(zbuf),
            VertexCount = (int)vertexCount,
            FaceCount = (int)faceList.shape[0],
            Height = height,
            Width = width,
            // PyTorch3D tests |area| <= 1e-8 in NDC units; one pixel is 2/S NDC units per axis.
            MinArea = 1e-8 * (width / 2.0) * (height / 2.0),
            PerspectiveCorrect = perspectiveCorrect,
        };
        int threads = Math.Max(1, torchThreads());
        int bands = (int)Math.Clamp((2L * threads + batch - 1) / batch, 1, height);
        int rowsPerBand = (height + bands - 1) / bands;
        Parallel.For(0, (int)batch * bands, new ParallelOptions { MaxDegreeOfParallelism = threads }, task =>
        {
            int b = task / bands, band = task % bands;
            int r0 = band * rowsPerBand, r1 = Math.Min(height, r0 + rowsPerBand);
            if (r0 < r1) job.Run(b, r0, r1);
        });
        GC.KeepAlive(verts);
        GC.KeepAlive(faceList);

        var coverage = faceIndex.ge(0);
        return new RasterFragments(
            faceIndex.to(device).MoveToOuterDisposeScope(),
            bary.to(device).MoveToOuterDisposeScope(),
            zbuf.to(device).MoveToOuterDisposeScope(),
            coverage.to(device).MoveToOuterDisposeScope(),
            perspectiveCorrect);
    }

    static int torchThreads() => torch.get_num_threads();

    static unsafe float* Pointer(Tensor t)
    {
        fixed (byte* p = t.bytes) return (float*)p;
    }

    /// <summary>Raw views of the kernel's input and output buffers (contiguous CPU tensors kept alive by the caller).</summary>
    unsafe struct Job
    {
        public float* Vertices;
        public int* Faces;
        public long* FaceIndex;
        public float* Bary;
        public float* Zbuf;
        public int VertexCount, FaceCount, Height, Width;
        public double MinArea;
        public bool PerspectiveCorrect;

        /// <summary>Rasterises all faces of sample <paramref name="b"/> into rows [r0, r1).</summary>
        /// <remarks>Compiled fully optimised at once: a few calls per render would otherwise run tier-0 code.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int b, int r0, int r1)
        {
            // Locals, so the JIT keeps them in registers despite the pointer writes below.
            int width = Width, faceCount = FaceCount;
            int* faces = Faces;
            long* faceIndex = FaceIndex;
            float* zbuf = Zbuf, baryOut = Bary;
            double minArea = MinArea;
            bool perspective = PerspectiveCorrect;
            long pixelBase = (long)b * Height * width;
            long first = pixelBase + (long)r0 * width;
            int count = (r1 - r0) * width;
            new Span<long>(faceIndex + first, count).Fill(-1);
            new Span<float>(zbuf + first, count).Fill(-1);
            new Span<float>(baryOut + 3 * first, 3 * count).Fill(-1);
            float* v = Vertices + (long)b * VertexCount * 3;
            for (int f = 0; f < faceCount; f++)
            {
                float* a = v + 3L * faces[3 * f];
                float* q = v + 3L * faces[3 * f + 1];
                float* c = v + 3L * faces[3 * f + 2];
                double x0 = a[0], y0 = a[1], z0 = a[2];
                double x1 = q[0], y1 = q[1], z1 = q[2];
                double x2 = c[0], y2 = c[1], z2 = c[2];
                if (z0 < 1e-8 || z1 < 1e-8 || z2 < 1e-8) continue;
                // Clamped in double before the cast, so far-off vertices cannot overflow the int conversion.
                int rowMin = (int)Math.Clamp(Math.Ceiling(Math.Min(y0, Math.Min(y1, y2))), r0, r1);
                int rowMax = (int)Math.Clamp(Math.Floor(Math.Max(y0, Math.Max(y1, y2))), r0 - 1, r1 - 1);
                if (rowMin > rowMax) continue;
                int colMin = (int)Math.Clamp(Math.Ceiling(Math.Min(x0, Math.Min(x1, x2))), 0, width);
                int colMax = (int)Math.Clamp(Math.Floor(Math.Max(x0, Math.Max(x1, x2))), -1, width - 1);
                if (colMin > colMax) continue;
                double area = Edge(x0, y0, x1, y1, x2, y2);
                if (Math.Abs(area) <= minArea) continue;
                // Orient every face counter-clockwise in screen space (inside = all edge values > 0). Edge i is the
                // edge opposite vertex i, e_i(px, py) = C_i + B_i·py + A_i·px. Two faces sharing an edge compute
                // exactly negated coefficients and hence exactly negated values, so a pixel is never lost between
                // them; a pixel centre exactly on an edge goes to the face for which that edge is a "top-left" edge.
                double sign = area > 0 ? 1 : -1;
                double a0 = sign * (y1 - y2), b0 = sign * (x2 - x1), c0 = sign * (x1 * y2 - x2 * y1);
                double a1 = sign * (y2 - y0), b1 = sign * (x0 - x2), c1 = sign * (x2 * y0 - x0 * y2);
                double a2 = sign * (y0 - y1), b2 = sign * (x1 - x0), c2 = sign * (x0 * y1 - x1 * y0);
                bool tl0 = TopLeft(b0, a0), tl1 = TopLeft(b1, a1), tl2 = TopLeft(b2, a2);
                double ia0 = 1 / a0, ia1 = 1 / a1, ia2 = 1 / a2;
                double inv = 1 / Math.Abs(area);
                for (int row = rowMin; row <= rowMax; row++)
                {
                    double r0e = c0 + b0 * row, r1e = c1 + b1 * row, r2e = c2 + b2 * row;
                    // The columns where every edge value can be positive, widened by a pixel; the exact tests decide.
                    double lo = colMin, hi = colMax;
                    if (!Span(a0, ia0, r0e, ref lo, ref hi) || !Span(a1, ia1, r1e, ref lo, ref hi) || !Span(a2, ia2, r2e, ref lo, ref hi)) continue;
                    long rowBase = pixelBase + (long)row * width;
                    for (int col = (int)lo; col <= (int)hi; col++)
                    {
                        double e0 = r0e + a0 * col, e1 = r1e + a1 * col, e2 = r2e + a2 * col;
                        if (!(e0 > 0 || (e0 == 0 && tl0)) || !(e1 > 0 || (e1 == 0 && tl1)) || !(e2 > 0 || (e2 == 0 && tl2))) continue;
                        double w0 = e0 * inv, w1 = e1 * inv, w2 = e2 * inv;
                        if (perspective)
                        {
                            double p0 = w0 / z0, p1 = w1 / z1, p2 = w2 / z2, s = p0 + p1 + p2;
                            w0 = p0 / s; w1 = p1 / s; w2 = p2 / s;
                        }
                        double z = w0 * z0 + w1 * z1 + w2 * z2;
                        if (z < 0) continue;
                        long pix = rowBase + col;
                        if (faceIndex[pix] >= 0 && z >= zbuf[pix]) continue;
                        faceIndex[pix] = f;
                        zbuf[pix] = (float)z;
                        baryOut[3 * pix] = (float)w0;
                        baryOut[3 * pix + 1] = (float)w1;
                        baryOut[3 * pix + 2] = (float)w2;
                    }
                }
            }
        }

        /// <summary>
        /// Whether the edge with value a·px + b·py + c (inside where positive) is a top or left edge: its interior
        /// lies below it (b &gt; 0), or for a vertical edge to its right (a &gt; 0). For two faces sharing an edge
        /// (coefficients negated) exactly one of them answers true.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool TopLeft(double b, double a) => b > 0 || (b == 0 && a > 0);

        /// <summary>
        /// Narrows [lo, hi] to the columns where rowValue + a·col can be ≥ 0 (one pixel of slack each side; inverseA = 1/a);
        /// false when none can.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool Span(double a, double inverseA, double rowValue, ref double lo, ref double hi)
        {
            if (a > 0) lo = Math.Max(lo, Math.Floor(-rowValue * inverseA));
            else if (a < 0) hi = Math.Min(hi, Math.Ceiling(-rowValue * inverseA));
            else if (rowValue < 0) return false;
            return lo <= hi;
        }

        /// <summary>Twice the signed area of the triangle (a, b, p).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static double Edge(double ax, double ay, double bx, double by, double px, double py) =>
            (ax - px) * (by - py) - (ay - py) * (bx - px);
    }
}
