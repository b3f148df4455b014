using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// Unsup3d's confidence network C (§2.1): the encoder-decoder's encoder (bottleneck half the depth network's), its
/// decoder up to S/4, where a 3×3 head gives the two perceptual confidence maps σ (original, flipped) by softplus
/// at the resolution of VGG16 relu3_3, and two more stages up to S, where a 5×5 head gives the two pixel confidence
/// maps σ by softplus. The visualised confidence is 1/(1 + σ).
/// </summary>
public sealed class Unsup3dConfidenceNetwork : nn.Module<Tensor, (Tensor Pixel, Tensor Perceptual)>
{
    readonly nn.Module<Tensor, Tensor> encoder;
    readonly nn.Module<Tensor, Tensor> toQuarter;
    readonly nn.Module<Tensor, Tensor> perceptualHead;
    readonly nn.Module<Tensor, Tensor> toFull;
    readonly nn.Module<Tensor, Tensor> pixelHead;

    public Unsup3dConfidenceNetwork(int imageSize, long channels = 64, long bottleneck = 128, bool firstNorm = true)
        : base(nameof(Unsup3dConfidenceNetwork))
    {
        var down = Unsup3dEncoder.DownChannels(imageSize, channels);
        encoder = nn.Sequential(Unsup3dEncoderDecoder.Encoder(down, bottleneck, firstNorm));
        // The decoder of the encoder-decoder without its last stage ends at S/4 with down[1] channels.
        var quarter = Unsup3dEncoderDecoder.Decoder(down.Skip(1).ToList(), bottleneck, out long c);
        toQuarter = nn.Sequential(quarter);
        perceptualHead = nn.Sequential(new GuardedConv2d(c, 2, 3, 1, 1, bias: false), nn.Softplus());
        var full = Unsup3dEncoderDecoder.UpStage(ref c, down[0]).ToList();
        full.Add(nn.Upsample(scale_factor: new double[] { 2, 2 }, mode: UpsampleMode.Nearest));
        full.AddRange(Unsup3dEncoderDecoder.ConvNormRelu(c, c, 3));
        toFull = nn.Sequential(full);
        pixelHead = nn.Sequential(new GuardedConv2d(c, 2, 5, 1, 2, bias: false), nn.Softplus());
        RegisterComponents();
    }

    /// <summary>Image (B, 3, S, S) → pixel σ (B, 2, S, S) and perceptual σ (B, 2, S/4, S/4); channel 0 original, 1 flipped.</summary>
    public override (Tensor Pixel, Tensor Perceptual) forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var quarter = toQuarter.forward(encoder.forward(image));
        var perceptual = perceptualHead.forward(quarter);
        var pixel = pixelHead.forward(toFull.forward(quarter));
        return (pixel.MoveToOuterDisposeScope(), perceptual.MoveToOuterDisposeScope());
    }
}
