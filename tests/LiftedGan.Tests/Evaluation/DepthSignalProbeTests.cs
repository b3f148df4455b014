using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.Tests.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

/// <summary>The depth-signal probe: only the depth decoder moves, its loss falls, the flags are restored, bad requests are refused.</summary>
public class DepthSignalProbeTests
{
    static readonly LiftingConfig Config = SupervisedTruthTests.Config with { Objective = LiftingObjective.Unsupervised };

    static float[] Flat(IEnumerable<TorchSharp.Modules.Parameter> ps) => ps.SelectMany(p => p.detach().cpu().flatten().data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData(LiftParts.None)]
    [InlineData(LiftParts.Light | LiftParts.View | LiftParts.Canonical | LiftParts.Transform)]
    [InlineData(LiftParts.SourceAsCanonical)]
    [InlineData(LiftParts.TeacherFrontal)]
    [InlineData(LiftParts.WorldFrontal)]
    public void OnlyTheDepthDecoderTrainsAndItsLossFalls(LiftParts parts)
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, Config);
        var others = model.Networks.Where(n => n.Module != model.DepthDecoder).SelectMany(n => n.Module.parameters()).ToList();
        var othersBefore = Flat(others);
        var depthBefore = Flat(model.DepthDecoder.parameters());
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            var rows = DepthSignalProbe.Run(model, new DepthSignalOptions
            {
                FromLift = parts, Steps = 30, Batch = 2, Samples = 4, Every = 10, LearningRate = 1e-3,
            });
            Assert.Equal(new[] { 0, 10, 20, 30 }, rows.Select(r => r.Step));
            Assert.True(double.IsNaN(rows[0].Loss));
            Assert.All(rows.Skip(1), r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0, $"loss {r.Loss}"));
            Assert.All(rows, r => Assert.True(double.IsFinite(r.Distinctiveness) && Math.Abs(r.Distinctiveness) <= 1, $"distinctiveness {r.Distinctiveness}"));
            Assert.True(rows[^1].Loss < rows[1].Loss, $"loss {rows[1].Loss} -> {rows[^1].Loss}");
        }
        finally { set_num_threads(threads); }
        Assert.Equal(othersBefore, Flat(others));
        Assert.NotEqual(depthBefore, Flat(model.DepthDecoder.parameters()));
        Assert.All(model.TrainableParameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void RefusesATeacherWithoutTruthAndTwoCanonicalImages()
    {
        using var small = SupervisedTruthTests.WorldTeacher(styleDim: 32);
        using (var model = new LiftedGenerator(small, Config.ForTeacher(32)))
            Assert.Throws<LiftingSetupException>(() => DepthSignalProbe.Run(model, new DepthSignalOptions { Steps = 1 }));
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var lift = new LiftedGenerator(teacher, Config);
        var e = Assert.Throws<EvaluationException>(() => DepthSignalProbe.Run(lift, new DepthSignalOptions { FromLift = LiftParts.Canonical | LiftParts.SourceAsCanonical, Steps = 1 }));
        Assert.Contains("one source of the canonical image", e.Message);
        e = Assert.Throws<EvaluationException>(() => DepthSignalProbe.Run(lift, new DepthSignalOptions { FromLift = LiftParts.TeacherFrontal | LiftParts.WorldFrontal, Steps = 1 }));
        Assert.Contains("one source of the canonical image", e.Message);
    }

    [Fact]
    public void CanonicalFidelityScoresTheLiftBesideTheSourceAndTheMeanImage()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var lift = new LiftedGenerator(teacher, Config);
        var f = DepthSignalProbe.Fidelity(lift, samples: 6, seed: 3);
        Assert.Equal(6, f.Samples);
        foreach (var v in new[] { f.LiftL1, f.LiftSlope, f.LiftR, f.SourceL1, f.SourceSlope, f.SourceR, f.MeanImageL1, f.TeacherToWorldL1 })
            Assert.True(double.IsFinite(v), $"{f}");
        Assert.InRange(f.LiftR, -1, 1);
        Assert.InRange(f.SourceR, -1, 1);
        Assert.True(f.MeanImageL1 > 0 && f.LiftL1 > 0 && f.SourceL1 > 0, $"{f}");
        // Same seed, same numbers; another seed, other faces.
        Assert.Equal(f, DepthSignalProbe.Fidelity(lift, samples: 6, seed: 3));
        Assert.NotEqual(f.SourceL1, DepthSignalProbe.Fidelity(lift, samples: 6, seed: 4).SourceL1);
        Assert.Throws<EvaluationException>(() => DepthSignalProbe.Fidelity(lift, samples: 1));
    }
}
