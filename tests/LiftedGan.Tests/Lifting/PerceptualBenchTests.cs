using LiftedGan.Cli;
using Xunit;

namespace LiftedGan.Tests.Lifting;

/// <summary>`bench perceptual`, the side of the PyTorch peer comparison (scripts/peer-perceptual.sh) that runs here.</summary>
public class PerceptualBenchTests
{
    [Fact]
    public void PrintsForwardAndBackwardTimesWithTheirFlopsAndRefusesBadSizes()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "bench", "perceptual", "--size", "16", "--batch", "1", "--repeats", "1" }, output, error));
        var text = output.ToString();
        Assert.Matches(@"perceptual VGG16 relu4_3 16 px batch 1 .*: forward [0-9.]+ ms, forward \+ backward [0-9.]+ ms; forward [0-9.]+ GFLOP", text);
        // VGG16 to relu4_3 at 16 px: 2 x 71.3 M multiply-accumulates (1.14 G at 64 px, a 16th of it).
        Assert.Contains("forward 0.1 GFLOP", text);
        Assert.Equal(1, Program.Run(new[] { "bench", "perceptual", "--size", "8" }, output, error));
        Assert.Contains("--size", error.ToString());
    }
}
