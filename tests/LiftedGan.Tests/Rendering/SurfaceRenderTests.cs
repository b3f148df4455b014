using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>Curved surfaces: a sphere's normals, occlusion and watertightness under large rotations.</summary>
public class SurfaceRenderTests
{
    /// <summary>Where camera rays (x, y, 1)·t meet the front of a sphere: t per ray, and whether they hit it.</summary>
    static (Tensor T, Tensor Hit) RaySphere(Tensor ray, Tensor centre, double r)
    {
        var dd = ray.pow(2).sum(-1);
        var dc = (ray * centre).sum(-1);
        var disc = dc * dc - dd * (centre.pow(2).sum() - r * r);
        return ((dc - disc.clamp(min: 0).sqrt()) / dd, disc.gt(0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(25.0)]
    [InlineData(-40.0)]
    public void SphereNormalsMatchTheAnalyticNormals(double yawDegrees)
    {
        using var scope = NewDisposeScope();
        const int S = 128;
        const double r = 0.06;
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S });
        var cam = renderer.Camera;
        // Slightly off-axis: an exactly mirror-symmetric mesh puts pixel centres exactly on edges, which the strict
        // inside test (PyTorch3D's) leaves uncovered.
        var sphere = tensor(new[] { 0.004, -0.003, 1.0 }, dtype: ScalarType.Float64);
        var g = PinholeCamera.PixelGrid(1, S, S, false, ScalarType.Float64)[0];
        var vertexRays = cat(new[] { (g - cam.Center) / cam.Focal, ones(S, S, 1, dtype: ScalarType.Float64) }, 2);
        var (tv, hitV) = RaySphere(vertexRays, sphere, r);
        var depth = where(hitV, tv, full_like(tv, 1.2)).unsqueeze(0);
        var normals = renderer.Normals(depth).permute(0, 3, 1, 2);
        var view = tensor(new[] { 0, yawDegrees * Math.PI / 180, 0, 0, 0, 0 }, dtype: ScalarType.Float64).view(1, 6);
        using var result = renderer.Render(depth, normals, view);

        // Each pixel's ray meets the warped sphere at P_w; the rendered attribute must be the canonical normal at the
        // canonical point R^T (P_w - C) + C, i.e. (sphere centre - that point) / r (normals point into the scene).
        using var transform = renderer.Transform(view);
        var rot = transform.Rotation[0];
        var c = tensor(new[] { 0.0, 0, 1 }, dtype: ScalarType.Float64);
        var worldCentre = rot.matmul(sphere - c) + c;
        var pix = arange(S, dtype: ScalarType.Float64).mul(2).add(1).div(S).sub(1).mul(cam.TanHalfFov);
        var ray = stack(new[] { pix.view(1, S).expand(S, S), pix.view(S, 1).expand(S, S), ones(S, S, dtype: ScalarType.Float64) }, 2);
        var (t, hit) = RaySphere(ray, worldCentre, r);
        var world = ray * t.unsqueeze(2);
        var canon = (world - c).matmul(rot) + c;
        var expected = (sphere - canon) / r;
        var worldNormal = (worldCentre - world) / r;
        // Inside the silhouette and away from the rim in both frames (the stencil mixes in the background there).
        var inside = hit.logical_and(expected[.., .., 2].gt(0.5)).logical_and(worldNormal[.., .., 2].gt(0.5));
        long count = inside.sum().item<long>();
        Assert.True(count > 2000, $"only {count} interior pixels");
        var rendered = result.Image[0].permute(1, 2, 0);
        var cosine = (rendered * expected).sum(2) / rendered.norm(2, keepdim: false);
        var worst = cosine.masked_select(inside).min().item<double>();
        var angle = Math.Acos(Math.Min(1, worst)) * 180 / Math.PI;
        Assert.True(angle < 1.0, $"worst normal error {angle:F3}° over {count} pixels");
    }

    [Fact]
    public void OcclusionPicksTheNearestSurfaceLikeABruteForceReference()
    {
        using var scope = NewDisposeScope();
        const int H = 24, W = 32, F = 40;
        var gen = new torch.Generator(7);
        var xy = rand(new long[] { 2, F * 3, 2 }, dtype: ScalarType.Float64, generator: gen) * tensor(new[] { W + 4.0, H + 4.0 }, dtype: ScalarType.Float64) - 2;
        var z = rand(new long[] { 2, F * 3, 1 }, dtype: ScalarType.Float64, generator: gen) + 0.5;
        var screen = cat(new[] { xy, z }, 2);
        var faces = arange(F * 3, dtype: ScalarType.Int32).view(F, 3);
        using var fr = Rasterizer.Rasterize(screen, faces, H, W);

        var sv = screen.to(ScalarType.Float32).to(ScalarType.Float64).data<double>().ToArray();
        var got = fr.FaceIndex.data<long>().ToArray();
        var gotZ = fr.Depth.data<float>().ToArray();
        int mismatches = 0, covered = 0;
        for (int b = 0; b < 2; b++)
        for (int row = 0; row < H; row++)
        for (int col = 0; col < W; col++)
        {
            long best = -1;
            double bestZ = double.MaxValue;
            for (int f = 0; f < F; f++)
            {
                double V(int k, int c) => sv[((b * F * 3) + f * 3 + k) * 3 + c];
                double area = (V(1, 0) - V(0, 0)) * (V(2, 1) - V(0, 1)) - (V(1, 1) - V(0, 1)) * (V(2, 0) - V(0, 0));
                double E(int i, int j) => (V(i, 0) - col) * (V(j, 1) - row) - (V(i, 1) - row) * (V(j, 0) - col);
                double w0 = E(1, 2) / area, w1 = E(2, 0) / area, w2 = E(0, 1) / area;
                if (w0 <= 0 || w1 <= 0 || w2 <= 0) continue;
                double pz = w0 * V(0, 2) + w1 * V(1, 2) + w2 * V(2, 2);
                if (pz < bestZ) { bestZ = pz; best = f; }
            }
            long i = ((long)b * H + row) * W + col;
            if (best >= 0) covered++;
            if (got[i] != best) mismatches++;
            else if (best >= 0) Assert.True(Math.Abs(gotZ[i] - bestZ) < 1e-5, $"z {gotZ[i]} vs {bestZ}");
        }
        Assert.True(covered > H * W / 2, $"only {covered} covered pixels");
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void RowBandsAndBatchingDoNotChangeTheFragments()
    {
        using var scope = NewDisposeScope();
        // Batch 1 is split into row bands across threads; inside a batch of 6 each sample is one task.
        const int S = 48;
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = S });
        var g = PinholeCamera.PixelGrid(1, S, S, true);
        var depth = 1.0f - 0.08f * (-g.pow(2).sum(3) / 0.2f).exp();
        var view = tensor(new[] { 0.3f, -0.7f, 0.2f, 0.01f, 0, 0 }).view(1, 6);
        var screen = renderer.Camera.ToScreen(renderer.MeshVertices(depth, view));
        var faces = renderer.Faces(S, S, CPU);
        using var single = Rasterizer.Rasterize(screen, faces, S, S);
        using var batched = Rasterizer.Rasterize(screen.expand(6, -1, -1), faces, S, S);
        for (int i = 0; i < 6; i++)
        {
            Assert.True(batched.FaceIndex[i].eq(single.FaceIndex[0]).all().item<bool>());
            Assert.True(batched.Barycentrics[i].eq(single.Barycentrics[0]).all().item<bool>());
            Assert.True(batched.Depth[i].eq(single.Depth[0]).all().item<bool>());
        }
    }

    [Fact]
    public void NearerFaceWinsWhateverTheFaceOrder()
    {
        using var scope = NewDisposeScope();
        // Two overlapping triangles: face 0 far (z = 2), face 1 near (z = 1); then the same in the other order.
        var far = new[] { -1.0, -1, 2, 20, -1, 2, -1, 20, 2 };
        var near = new[] { 2.0, 2, 1, 18, 3, 1, 3, 17, 1 };
        foreach (var (verts, nearIndex) in new[] { (far.Concat(near).ToArray(), 1L), (near.Concat(far).ToArray(), 0L) })
        {
            var screen = tensor(verts, dtype: ScalarType.Float64).view(1, 6, 3);
            var faces = tensor(new[] { 0, 1, 2, 3, 4, 5 }).view(2, 3);
            using var fr = Rasterizer.Rasterize(screen, faces, 16, 16);
            Assert.Equal(nearIndex, fr.FaceIndex[0, 6, 6].item<long>());
            Assert.Equal(1f, fr.Depth[0, 6, 6].item<float>());
            Assert.Equal(1L - nearIndex, fr.FaceIndex[0, 0, 10].item<long>()); // only the far face covers (row 0, col 10)
        }
    }

    [Theory]
    [InlineData(60.0, 64)]
    [InlineData(-60.0, 64)]
    [InlineData(60.0, 128)]
    [InlineData(-60.0, 128)]
    public void SmoothSurfaceRotatedBy60DegreesLeavesNoHoles(double yawDegrees, int s)
    {
        using var scope = NewDisposeScope();
        var renderer = new DepthMapRenderer(new RendererOptions { ImageSize = s });
        var g = PinholeCamera.PixelGrid(1, s, s, true, ScalarType.Float64);
        var r2 = g.pow(2).sum(3);
        var depth = 1.0 - 0.08 * (-r2 / 0.3).exp() + 0.02 * (g[.., .., .., 0] * 3).sin();
        var image = ones(1, 3, s, s, dtype: ScalarType.Float64);
        var view = tensor(new[] { 0.1, yawDegrees * Math.PI / 180, 0, 0, 0, 0 }, dtype: ScalarType.Float64).view(1, 6);
        using var result = renderer.Render(depth, image, view);
        var covered = result.Mask[0, 0].gt(0.5).data<bool>().ToArray();
        int coveredCount = covered.Count(c => c);
        Assert.True(coveredCount > s * s / 5, $"only {coveredCount} covered pixels");
        Assert.Equal(0, EnclosedHoles(covered, s, s));
    }

    /// <summary>Uncovered pixels that cannot reach the image border through uncovered pixels (4-connected).</summary>
    static int EnclosedHoles(bool[] covered, int h, int w)
    {
        var outside = new bool[h * w];
        var stack = new Stack<int>();
        for (int i = 0; i < h * w; i++)
        {
            int r = i / w, c = i % w;
            if ((r == 0 || c == 0 || r == h - 1 || c == w - 1) && !covered[i]) { outside[i] = true; stack.Push(i); }
        }
        while (stack.Count > 0)
        {
            int i = stack.Pop(), r = i / w, c = i % w;
            foreach (var (rr, cc) in new[] { (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1) })
            {
                if (rr < 0 || cc < 0 || rr >= h || cc >= w) continue;
                int j = rr * w + cc;
                if (covered[j] || outside[j]) continue;
                outside[j] = true;
                stack.Push(j);
            }
        }
        int holes = 0;
        for (int i = 0; i < h * w; i++) if (!covered[i] && !outside[i]) holes++;
        return holes;
    }
}
