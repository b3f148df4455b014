using LiftedGan.StyleGan2;
using LiftedGan.Tests.StyleGan2;
using LiftedGan.Training;
using Xunit;

namespace LiftedGan.Tests.Training;

public class StepProfileTests
{
    [Fact]
    public void LapsChargeTheTimeSinceThePreviousLapAndWarmupStepsAreDropped()
    {
        var p = new StepProfile { Warmup = 1 };
        p.Begin(); Thread.Sleep(30); p.Lap("warm-up only"); p.End();
        for (int i = 0; i < 2; i++)
        {
            p.Begin();
            Thread.Sleep(40); p.Lap("a");
            Thread.Sleep(10); p.Lap("b");
            Thread.Sleep(20);
            p.End();
        }
        Assert.Equal(2, p.Steps);
        Assert.Equal(new[] { "a", "b" }, p.Parts.Select(x => x.Name));
        Assert.All(p.Parts, x => Assert.Equal(2, x.Laps));
        var profile = TrainerProfile.From("t", "s", p);
        double a = p.Parts[0].TotalMilliseconds / 2, b = p.Parts[1].TotalMilliseconds / 2;
        Assert.InRange(a, 40, 40 + 60);
        Assert.InRange(b, 10, 10 + 60);
        Assert.InRange(profile.StepMilliseconds, 70, 70 + 100);
        // The time after the last lap is the step's but no part's.
        Assert.InRange(profile.RestMilliseconds, 20, 20 + 60);
        Assert.True(a > b, $"a {a} ms should exceed b {b} ms");
    }

    [Fact]
    public void AStyleGanProfileHasEveryPartOfTheStepAndTheLazyRegularisersInProportion()
    {
        var options = TrainerTests.TinyOptions() with { DRegEvery = 2, GRegEvery = 2, Augment = true };
        var r = StyleGanBenchmark.Profile("tiny", options, 4);
        Assert.Equal(4, r.Steps);
        var laps = r.Parts.ToDictionary(x => x.Name, x => x.Laps);
        foreach (var part in new[] { "data (real batch)", "D step: G forward (no grad)", "D step: augment", "D step: D forward (fake, real)",
                     "D step: D backward", "D step: optimiser", "G step: G forward", "G step: augment, D forward", "G step: backward (D, G)",
                     "G step: optimiser", "EMA update" })
            Assert.Equal(4, laps[part]);
        // Iterations 0..3 with both intervals 2: the lazy terms run at 0 and 2.
        Assert.Equal(2, laps["R1 (lazy, every 2)"]);
        Assert.Equal(2, laps["path length (lazy, every 2)"]);
        Assert.True(r.RestMilliseconds >= 0 && r.RestMilliseconds < 0.1 * r.StepMilliseconds,
            $"rest {r.RestMilliseconds:F2} ms of a {r.StepMilliseconds:F2} ms step");
        Assert.Contains("adversarial", r.Setting);
    }
}

public class BenchTrainCliTests
{
    [Fact]
    public void BenchTrainPrintsEveryPartOfTheEstimatorStepAndTheRest()
    {
        var (code, output, err) = CliRunner.OneThread("bench", "train", "--only", "estimator", "--steps", "2");
        Assert.True(code == 0, err);
        foreach (var part in new[] { "pose-and-depth estimator", "data (world renders)", "forward, loss", "backward", "optimiser", "rest" })
            Assert.Contains(part, output);
        var (bad, _, badErr) = CliRunner.OneThread("bench", "train", "--only", "nonsense");
        Assert.NotEqual(0, bad);
        Assert.Contains("--only nonsense", badErr);
    }
}
