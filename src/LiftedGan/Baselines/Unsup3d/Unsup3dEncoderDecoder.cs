using LiftedGan.Lifting;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// Unsup3d's encoder-decoder (official EDDeconv; the depth and albedo networks, §2.1). Encoder: stride-2 4×4
/// convolutions from S down to 4×4 (LeakyReLU 0.2 after each, group norm before it on all but the last; models saved
/// before the first one's norm was added leave it out, <see cref="Unsup3dConfig.FirstEncoderNorm"/>), a 4×4 valid convolution to the
/// bottleneck (1×1, ReLU). Decoder: a 4×4 transposed convolution back to 4×4 and a 3×3 convolution (ReLU), then per
/// ×2 stage [transposed 4×4 stride-2 convolution, GN, ReLU, 3×3 convolution, GN, ReLU] up to S/2, nearest ×2 to S,
/// 3×3 and 5×5 convolutions (GN, ReLU) and a 5×5 convolution to the outputs. Group norms use 4-channel groups (the
/// official 16 groups of 64 channels). No output activation: the caller applies it (tanh for albedo; the depth is
/// centred first).
/// </summary>
public sealed class Unsup3dEncoderDecoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> encoder;
    readonly nn.Module<Tensor, Tensor> decoder;

    public Unsup3dEncoderDecoder(int imageSize, long outputs, long channels = 64, long bottleneck = 256, bool firstNorm = true)
        : base(nameof(Unsup3dEncoderDecoder))
    {
        var down = Unsup3dEncoder.DownChannels(imageSize, channels);
        encoder = nn.Sequential(Encoder(down, bottleneck, firstNorm));
        var up = Decoder(down, bottleneck, out long c);
        up.Add(nn.Upsample(scale_factor: new double[] { 2, 2 }, mode: UpsampleMode.Nearest));
        up.AddRange(ConvNormRelu(c, c, 3));
        up.AddRange(ConvNormRelu(c, c, 5));
        up.Add(new GuardedConv2d(c, outputs, 5, 1, 2, bias: false));
        decoder = nn.Sequential(up);
        RegisterComponents();
    }

    /// <summary>The encoder layers of <see cref="Unsup3dEncoderDecoder"/> (shared with the confidence network).</summary>
    internal static List<nn.Module<Tensor, Tensor>> Encoder(IReadOnlyList<long> down, long bottleneck, bool firstNorm)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = 3;
        for (int i = 0; i < down.Count; i++)
        {
            layers.Add(new GuardedConv2d(c, down[i], 4, 2, 1, bias: false));
            if ((i > 0 || firstNorm) && i < down.Count - 1) layers.Add(new FeatureGroupNorm(down[i] / 4, down[i]));
            layers.Add(nn.LeakyReLU(0.2));
            c = down[i];
        }
        layers.Add(new GuardedConv2d(c, bottleneck, 4, 1, 0, bias: false));
        layers.Add(nn.ReLU());
        return layers;
    }

    /// <summary>
    /// The decoder layers from the bottleneck up to S/2 (the stages mirror <paramref name="down"/>);
    /// <paramref name="channels"/> gets the channels at S/2.
    /// </summary>
    internal static List<nn.Module<Tensor, Tensor>> Decoder(IReadOnlyList<long> down, long bottleneck, out long channels)
    {
        long c = down[^1];
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new GuardedConvTranspose2d(bottleneck, c, 4, 1, 0, bias: false), nn.ReLU(),
            new GuardedConv2d(c, c, 3, 1, 1, bias: false), nn.ReLU(),
        };
        for (int i = down.Count - 2; i >= 0; i--) layers.AddRange(UpStage(ref c, down[i]));
        channels = c;
        return layers;
    }

    /// <summary>One ×2 decoder stage to <paramref name="next"/> channels: [ConvT 4×4/2, GN, ReLU, Conv 3×3, GN, ReLU].</summary>
    internal static IEnumerable<nn.Module<Tensor, Tensor>> UpStage(ref long c, long next)
    {
        var stage = new List<nn.Module<Tensor, Tensor>>
        {
            new GuardedConvTranspose2d(c, next, 4, 2, 1, bias: false), new FeatureGroupNorm(next / 4, next), nn.ReLU(),
        };
        stage.AddRange(ConvNormRelu(next, next, 3));
        c = next;
        return stage;
    }

    /// <summary>A same-size convolution with group norm and ReLU.</summary>
    internal static IEnumerable<nn.Module<Tensor, Tensor>> ConvNormRelu(long cin, long cout, int kernel) =>
        [new GuardedConv2d(cin, cout, kernel, 1, kernel / 2, bias: false), new FeatureGroupNorm(cout / 4, cout), nn.ReLU()];

    /// <summary>Image (B, 3, S, S) → raw maps (B, outputs, S, S).</summary>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        return decoder.forward(encoder.forward(image)).MoveToOuterDisposeScope();
    }
}
