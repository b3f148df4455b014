using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Synthetic;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Evaluation;

/// <summary>Exact-truth evaluation of a lift on a world-fit teacher, and its distinctiveness score.</summary>
public class ExactTruthTests
{
    [Fact]
    public void DistinctivenessIsZeroForOneShapeForAllAndOneForTheTruthUpToScale()
    {
        using var scope = NewDisposeScope();
        using var truth = LatentFaces.Truth(randn([12, 80], generator: new Generator(4)), 32);
        var depth = truth.CanonicalDepth;
        var mask = truth.Mask;
        Assert.Equal(1.0, ExactTruthProtocol.Distinctiveness(depth, depth, mask), 6);
        Assert.Equal(1.0, ExactTruthProtocol.Distinctiveness(depth * 2 + 0.3, depth, mask), 6);
        Assert.Equal(-1.0, ExactTruthProtocol.Distinctiveness(-depth, depth, mask), 6);
        // The same (mean) face for everyone: nothing of the between-face differences.
        var same = depth.mean([0], keepdim: true).expand(12, -1, -1);
        Assert.Equal(0.0, ExactTruthProtocol.Distinctiveness(same, depth, mask), 6);
        // Per-face depth offsets are not shape.
        var shifted = depth + arange(12, dtype: float32).view(12, 1, 1) * 0.01;
        Assert.Equal(1.0, ExactTruthProtocol.Distinctiveness(shifted, depth, mask), 6);
    }

    [Fact]
    public void GainIsTheSlopeOfThePredictedAngleOnTheTrueOne()
    {
        double[] truth = [-30, -10, 0, 20, 40];
        // Half the true angle plus an offset: gain 0.5 whatever the offset; the truth itself: 1.
        var half = AngleStats.Of(truth.Select(t => 0.5 * t + 3 - t).ToList(), truth);
        Assert.Equal(0.5, half.Gain, 9);
        Assert.Equal(1.0, AngleStats.Of(truth.Select(_ => 0.0).ToList(), truth).Gain, 9);
        Assert.True(double.IsNaN(AngleStats.Of([1.0, 2.0]).Gain), "no truth, no gain");
    }

    [Fact]
    public void EveryMethodIsScoredOnTheSameSamplesAndTheConstantAnswerScoresTheTruePose()
    {
        var table = new Dictionary<int, int>();
        for (int res = 4; res <= 32; res *= 2) table[res] = 16;
        using var teacher = new StyleGenerator(new GeneratorConfig { Size = 32, StyleDim = 64, MappingLayers = 2, Channels = table }, new Generator(2));
        var config = LiftingConfig.Synth64.ForTeacher(64) with { ImageSize = 32 };
        using var model = new LiftedGenerator(teacher, config);
        var r = ExactTruthProtocol.Evaluate(model, null, 10, seed: 3, batch: 4);
        Assert.Equal([ExactTruthProtocol.Lift, ExactTruthProtocol.MeanShape, ExactTruthProtocol.Constant, ExactTruthProtocol.ConstantTemplate], r.Methods.Select(m => m.Method));
        Assert.Null(r[ExactTruthProtocol.MeanShape]!.Yaw);
        Assert.True(double.IsFinite(r[ExactTruthProtocol.Lift]!.Yaw!.MeanAbs) && double.IsFinite(r[ExactTruthProtocol.Lift]!.Side));
        Assert.True(r.TeacherFitL1 > 0.05, "an untrained teacher cannot match the world");
        Assert.InRange(r.MeanImageL1, 0.02, 0.6);
        Assert.True(r.MeanImageL1 < r.TeacherFitL1, $"the world's mean image ({r.MeanImageL1}) beats an untrained teacher ({r.TeacherFitL1})");

        // The same latents, drawn as the protocol draws them: the constant answer's error is the true angle itself.
        using var g = new Generator(3);
        var yaws = new List<double>();
        foreach (int n in new[] { 4, 4, 2 })
        {
            using var z = randn([n, 64], generator: g);
            foreach (var d in LatentFaces.Draws(z)) { yaws.Add(d.Parameters[(int)FaceParam.Yaw]); d.Dispose(); }
        }
        Assert.Equal(yaws.Average(Math.Abs), r[ExactTruthProtocol.Constant]!.Yaw!.MeanAbs, 3);
        Assert.Equal(-yaws.Average(), r[ExactTruthProtocol.Constant]!.Yaw!.Bias, 3);
        // With its bias removed the constant answer scores the truth's spread (mean absolute deviation).
        Assert.Equal(yaws.Average(y => Math.Abs(y - yaws.Average())), r[ExactTruthProtocol.Constant]!.Yaw!.CentredMeanAbs, 3);
        // The constant answer does not turn at all: gain 0; no composer measurement without an estimator.
        Assert.Equal(0.0, r[ExactTruthProtocol.Constant]!.Yaw!.Gain, 9);
        Assert.Null(r.ComposerYawGain);
        var offset = AngleStats.Of([2.0, 4.0, 6.0]);
        Assert.Equal(4.0, offset.Bias, 12);
        Assert.Equal(4.0 / 3, offset.CentredMeanAbs, 12);
        // Mean shape at the true pose: a real depth map, better than a flat plane in normals.
        Assert.True(r[ExactTruthProtocol.MeanShape]!.Mad < r[ExactTruthProtocol.Constant]!.Mad);
        Assert.Throws<EvaluationException>(() => ExactTruthProtocol.Evaluate(model, null, 1, 3));

        // With an estimator: its row, and the composer's turn measured through it (finite, whatever its value here).
        using var estimator = LiftedGan.Torch.SeededInit.Apply(new PoseDepthEstimator(32, 4), 4);
        estimator.eval();
        var withEstimator = ExactTruthProtocol.Evaluate(model, estimator, 4, seed: 3, batch: 4);
        Assert.NotNull(withEstimator[ExactTruthProtocol.Estimator]);
        Assert.True(withEstimator.ComposerYawGain is double turn && double.IsFinite(turn), $"composer turn {withEstimator.ComposerYawGain}");
    }
}
