using LiftedGan.Lifting;
using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>The perturbation's sampled views: the official stream (roll 0) and the optional roll range.</summary>
public class PerturbationTests
{
    static (float[] Yaw, float[] Pitch, float[] View) Draw(LiftingConfig config, long batch = 64)
    {
        using var g = new Generator(7);
        using var light = randn(batch, 4, generator: new Generator(3));
        using var p = Perturbation.Sample(light, config, g);
        return (p.YawDegrees.data<float>().ToArray(), p.PitchDegrees.data<float>().ToArray(), p.View.data<float>().ToArray());
    }

    [Fact]
    public void OfficialPerturbationNeverRolls()
    {
        var (_, _, view) = Draw(new LiftingConfig());
        for (int i = 0; i < view.Length / 6; i++) Assert.Equal(0f, view[i * 6 + 2]);
    }

    [Fact]
    public void RollRangeDrawsRollsWithinItAndLeavesYawAndPitchAsTheyWere()
    {
        var official = Draw(new LiftingConfig());
        var rolled = Draw(new LiftingConfig { PerturbRoll = 10 });
        Assert.Equal(official.Yaw, rolled.Yaw);
        Assert.Equal(official.Pitch, rolled.Pitch);
        var rolls = Enumerable.Range(0, rolled.View.Length / 6).Select(i => rolled.View[i * 6 + 2] * ViewTransform.RotationRangeDegrees).ToArray();
        Assert.All(rolls, r => Assert.InRange(r, -10.0, 10.0));
        Assert.True(rolls.Max() > 5 && rolls.Min() < -5, $"64 draws should span most of ±10°: {rolls.Min():F2}..{rolls.Max():F2}");
        // Everything but the roll is unchanged.
        for (int i = 0; i < rolls.Length; i++)
            for (int k = 0; k < 6; k++)
                if (k != 2) Assert.Equal(official.View[i * 6 + k], rolled.View[i * 6 + k]);
    }
}
