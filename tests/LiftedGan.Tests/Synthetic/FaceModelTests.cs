using LiftedGan.Synthetic;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Synthetic;

public class FaceModelTests
{
    static (Tensor Parameters, Tensor Noise) Rows(IEnumerable<FaceDraw> draws, Action<float[]>? edit = null)
    {
        var list = draws.ToList();
        var rows = list.Select(d => (float[])d.Parameters.Clone()).ToList();
        if (edit != null) rows.ForEach(edit);
        return (tensor(rows.SelectMany(r => r).ToArray()).view(list.Count, FaceParameters.Count),
            stack(list.Select(d => d.Noise).ToArray()));
    }

    [Fact]
    public void ParameterTableIsConsistent()
    {
        Assert.Equal(Enum.GetValues<FaceParam>().Length, FaceParameters.Count);
        for (int i = 0; i < FaceParameters.Count; i++)
        {
            var p = FaceParameters.All[i];
            Assert.Equal(i, (int)p.Id);
            Assert.True(p.Min < p.Max, p.Name);
            Assert.Same(p, FaceParameters.Find(p.Name));
        }
        Assert.Equal(FaceParameters.Count, FaceParameters.All.Select(p => p.Name).Distinct().Count());
    }

    [Fact]
    public void SampledParametersStayInRangeWithExpectedStatistics()
    {
        TorchRuntime.EnsureLoaded();
        const int n = 400;
        var rows = Enumerable.Range(0, n).Select(i => { using var d = FaceDraw.Create(11, i); return d.Parameters; }).ToList();
        foreach (var p in FaceParameters.All)
        {
            var v = rows.Select(r => (double)r[(int)p.Id]).ToList();
            Assert.True(v.Min() >= p.Min && v.Max() <= p.Max, $"{p.Name}: [{v.Min()}, {v.Max()}] outside [{p.Min}, {p.Max}]");
            Assert.True(v.Max() - v.Min() > 0.5 * (p.Max - p.Min), $"{p.Name}: samples span only [{v.Min()}, {v.Max()}]");
        }
        double Mean(FaceParam k, Func<float, double> f) => rows.Average(r => f(r[(int)k]));
        Assert.InRange(Mean(FaceParam.SkinTone, v => v), 0.42, 0.58);
        Assert.InRange(Mean(FaceParam.Yaw, v => v), -5, 5);
        Assert.InRange(Mean(FaceParam.Yaw, v => Math.Abs(v) > 35 ? 1 : 0), 0.12, 0.32);
        Assert.InRange(Mean(FaceParam.FacialHair, v => v > 0 ? 1 : 0), 0.22, 0.38);
        Assert.InRange(Mean(FaceParam.Glasses, v => v), 0.09, 0.21);
        Assert.InRange(Mean(FaceParam.MouthOpen, v => v > 0 ? 1 : 0), 0.42, 0.58);
    }

    [Fact]
    public void SymmetricIdentityGivesMirrorSymmetricDepthAlbedoAndMasks()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var draws = Enumerable.Range(0, 4).Select(i => FaceDraw.Create(3, i, symmetric: true)).ToList();
        var (p, noise) = Rows(draws, r =>
        {
            r[(int)FaceParam.BackgroundAngle] = (float)(Math.PI / 2); // vertical gradient: a symmetric background
            r[(int)FaceParam.BackgroundNoise] = 0;
        });
        using var face = FaceModel.Build(p, noise, 64);
        Assert.True(face.Depth.min().item<float>() >= FaceModel.MinDepth && face.Depth.max().item<float>() <= FaceModel.MaxDepth);
        Assert.True(face.Depth.min().item<float>() < 0.96, "the face should come well in front of its rim");
        Assert.Equal(0f, (face.Depth - face.Depth.flip(2)).abs().max().item<float>(), 6);
        Assert.Equal(0f, (face.Albedo - face.Albedo.flip(3)).abs().max().item<float>(), 5);
        Assert.Equal(0f, (face.Foreground - face.Foreground.flip(2)).abs().max().item<float>(), 6);

        // Control: a non-zero asymmetry breaks the symmetry clearly.
        var (q, _) = Rows(draws, r => r[(int)FaceParam.Asymmetry] = 0.08f);
        using var skew = FaceModel.Build(q, noise, 64);
        Assert.True((skew.Depth - skew.Depth.flip(2)).abs().max().item<float>() > 1e-3);
        draws.ForEach(d => d.Dispose());
    }

    [Fact]
    public void MapsHaveTheDocumentedShapesAndRanges()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var draws = Enumerable.Range(0, 3).Select(i => FaceDraw.Create(4, i)).ToList();
        var (p, noise) = Rows(draws);
        using var face = FaceModel.Build(p, noise, 32);
        Assert.Equal(new long[] { 3, 32, 32 }, face.Depth.shape);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, face.Albedo.shape);
        Assert.Equal(new long[] { 3, 1, 32, 32 }, face.TransformMap.shape);
        Assert.True(face.Albedo.min().item<float>() >= -1 && face.Albedo.max().item<float>() <= 1);
        // Background corners sit on the plane and stay put (T = 0); the image centre is face and moves (T = 1).
        Assert.Equal(FaceModel.BackgroundDepth, face.Depth[.., 0, 0].mean().item<float>(), 4);
        Assert.Equal(0f, face.TransformMap[.., 0, .., ..2].abs().max().item<float>());
        Assert.True(face.TransformMap[.., 0, 12, 16].min().item<float>() > 0.99);
        Assert.Throws<SyntheticWorldException>(() => FaceModel.Build(p, noise, 100));
        Assert.Throws<SyntheticWorldException>(() => FaceModel.Build(p[.., ..5], noise, 32));
        draws.ForEach(d => d.Dispose());
    }
}
