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
/// as in PyTorch3D. Edge signs are evaluated exactly (float32 vertices, double arithmetic); a pixel centre lying
/// exactly on an edge — which PyTorch3D leaves to float rounding, and which happens along the whole image
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
        public readonly void Run(int b, int r0, int r1)
        {
            long pixelBase = (long)b * Height * Width;
            for (long p = pixelBase + (long)r0 * Width, end = pixelBase + (long)r1 * Width; p < end; p++)
            {
                FaceIndex[p] = -1;
                Zbuf[p] = -1;
                Bary[3 * p] = Bary[3 * p + 1] = Bary[3 * p + 2] = -1;
            }
            float* v = Vertices + (long)b * VertexCount * 3;
            for (int f = 0; f < FaceCount; f++)
            {
                float* a = v + 3L * Faces[3 * f];
                float* q = v + 3L * Faces[3 * f + 1];
                float* c = v + 3L * Faces[3 * f + 2];
                double x0 = a[0], y0 = a[1], z0 = a[2];
                double x1 = q[0], y1 = q[1], z1 = q[2];
                double x2 = c[0], y2 = c[1], z2 = c[2];
                if (z0 < 1e-8 || z1 < 1e-8 || z2 < 1e-8) continue;
                int rowMin = Math.Max(r0, (int)Math.Ceiling(Math.Min(y0, Math.Min(y1, y2))));
                int rowMax = Math.Min(r1 - 1, (int)Math.Floor(Math.Max(y0, Math.Max(y1, y2))));
                if (rowMin > rowMax) continue;
                int colMin = Math.Max(0, (int)Math.Ceiling(Math.Min(x0, Math.Min(x1, x2))));
                int colMax = Math.Min(Width - 1, (int)Math.Floor(Math.Max(x0, Math.Max(x1, x2))));
                if (colMin > colMax) continue;
                double area = Edge(x0, y0, x1, y1, x2, y2);
                if (Math.Abs(area) <= MinArea) continue;
                // Orient every face counter-clockwise in screen space (inside = all edge values > 0). Edge i is the
                // edge opposite vertex i. A pixel centre exactly on an edge goes to the face for which that edge
                // is a "top-left" edge, so exactly one of two faces sharing the edge takes it.
                double sign = area > 0 ? 1 : -1;
                bool tl0 = TopLeft(sign * (x2 - x1), sign * (y2 - y1));
                bool tl1 = TopLeft(sign * (x0 - x2), sign * (y0 - y2));
                bool tl2 = TopLeft(sign * (x1 - x0), sign * (y1 - y0));
                double inv = 1 / Math.Abs(area);
                for (int row = rowMin; row <= rowMax; row++)
                {
                    long rowBase = pixelBase + (long)row * Width;
                    for (int col = colMin; col <= colMax; col++)
                    {
                        // With float32 inputs these products are exact in double, so each sign is exact.
                        double e0 = sign * Edge(x1, y1, x2, y2, col, row);
                        double e1 = sign * Edge(x2, y2, x0, y0, col, row);
                        double e2 = sign * Edge(x0, y0, x1, y1, col, row);
                        if (!(e0 > 0 || (e0 == 0 && tl0)) || !(e1 > 0 || (e1 == 0 && tl1)) || !(e2 > 0 || (e2 == 0 && tl2))) continue;
                        double w0 = e0 * inv, w1 = e1 * inv, w2 = e2 * inv;
                        if (PerspectiveCorrect)
                        {
                            double p0 = w0 / z0, p1 = w1 / z1, p2 = w2 / z2, s = p0 + p1 + p2;
                            w0 = p0 / s; w1 = p1 / s; w2 = p2 / s;
                        }
                        double z = w0 * z0 + w1 * z1 + w2 * z2;
                        if (z < 0) continue;
                        long pix = rowBase + col;
                        if (FaceIndex[pix] >= 0 && z >= Zbuf[pix]) continue;
                        FaceIndex[pix] = f;
                        Zbuf[pix] = (float)z;
                        Bary[3 * pix] = (float)w0;
                        Bary[3 * pix + 1] = (float)w1;
                        Bary[3 * pix + 2] = (float)w2;
                    }
                }
            }
        }

        /// <summary>Whether a counter-clockwise edge with direction (dx, dy) (y down) is a top or left edge.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static bool TopLeft(double dx, double dy) => dy < 0 || (dy == 0 && dx > 0);

        /// <summary>
        /// Twice the signed area of (a, b, p), written relative to p so that swapping a and b negates it exactly:
        /// neighbouring faces agree on their shared edge and leave no cracks.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static double Edge(double ax, double ay, double bx, double by, double px, double py) =>
            (ax - px) * (by - py) - (ay - py) * (bx - px);
    }
}
