using LiftedGan.StyleGan2;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.StyleGan2;

public class DiscriminatorTests
{
    [Fact]
    public void KeysFollowTheOfficialLayoutAndOutputIsOneLogitPerImage()
    {
        var config = new DiscriminatorConfig { Size = 16, Channels = new Dictionary<int, int> { [4] = 16, [8] = 16, [16] = 8 } };
        using var d = new StyleDiscriminator(config, new Generator(1));
        var keys = d.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var expected = new Dictionary<string, long[]>
        {
            ["convs.0.0.weight"] = [8, 3, 1, 1], ["convs.0.1.bias"] = [8],
            ["convs.1.conv1.0.weight"] = [8, 8, 3, 3], ["convs.1.conv1.1.bias"] = [8],
            ["convs.1.conv2.0.kernel"] = [4, 4], ["convs.1.conv2.1.weight"] = [16, 8, 3, 3], ["convs.1.conv2.2.bias"] = [16],
            ["convs.1.skip.0.kernel"] = [4, 4], ["convs.1.skip.1.weight"] = [16, 8, 1, 1],
            ["convs.2.conv2.1.weight"] = [16, 16, 3, 3],
            ["final_conv.0.weight"] = [16, 17, 3, 3], ["final_conv.1.bias"] = [16],
            ["final_linear.0.weight"] = [16, 256], ["final_linear.0.bias"] = [16],
            ["final_linear.1.weight"] = [1, 16], ["final_linear.1.bias"] = [1],
        };
        foreach (var (k, shape) in expected)
        {
            Assert.True(keys.ContainsKey(k), $"missing {k}; have {string.Join(", ", keys.Keys)}");
            Assert.Equal(shape, keys[k]);
        }
        Assert.True(keys.Count == 22, string.Join(", ", keys.Keys));
        using var x = randn(6, 3, 16, 16);
        using var y = d.forward(x);
        Assert.Equal(new long[] { 6, 1 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }
}
