using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>A network that maps (B, 3, H, W) images in [−1, 1] to (B, D) unit-length identity embeddings.</summary>
public interface IFaceEmbedding
{
    /// <summary>Embedding dimension.</summary>
    long Dimension { get; }
    /// <summary>Unit-length embeddings of a batch of images.</summary>
    Tensor Embed(Tensor images);
}

/// <summary>
/// The official LResNet-18 face embedding (models/face_embedding.py; CASIA-WebFace `lresnet_casia.pth.tar`): 128 px
/// input (256 px is average-pooled first), stride-2 stem, four stages of two pre-activation IR blocks
/// (64/128/256/512 channels), BN → flatten → Linear(512·8·8, 512) → BN1d → L2 normalisation. Always run in eval mode.
/// Official checkpoints prefix every key with `module.` (DataParallel); the loader strips it.
/// </summary>
public sealed class LResNetFaceEmbedding : nn.Module<Tensor, Tensor>, IFaceEmbedding
{
    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly nn.Module<Tensor, Tensor> act_layer;
    readonly nn.Module<Tensor, Tensor> layer1, layer2, layer3, layer4;
    readonly nn.Module<Tensor, Tensor> bn4;
    readonly nn.Module<Tensor, Tensor> fc5;
    readonly nn.Module<Tensor, Tensor> bn5;

    public LResNetFaceEmbedding(long dimension = 512) : base(nameof(LResNetFaceEmbedding))
    {
        Dimension = dimension;
        conv1 = new GuardedConv2d(3, 64, 4, 2, 1, bias: false);
        bn1 = nn.BatchNorm2d(64);
        act_layer = nn.PReLU(64, 0.25);
        layer1 = Stage(64, 64, 1);
        layer2 = Stage(64, 128, 2);
        layer3 = Stage(128, 256, 2);
        layer4 = Stage(256, 512, 2);
        bn4 = nn.BatchNorm2d(512);
        fc5 = nn.Linear(512 * 8 * 8, dimension);
        bn5 = nn.BatchNorm1d(dimension);
        RegisterComponents();
        eval();
    }

    public long Dimension { get; }

    static nn.Module<Tensor, Tensor> Stage(long cin, long cout, long stride) =>
        nn.Sequential(new IRBlock(cin, cout, stride), new IRBlock(cout, cout, 1));

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images;
        if (x.shape[2] == 256 && x.shape[3] == 256) x = nn.functional.avg_pool2d(x, 2, 2);
        if (x.shape[2] != 128 || x.shape[3] != 128)
            throw new ArgumentException($"face embedding: expected 128 or 256 px input, got {x.shape[2]}x{x.shape[3]}");
        x = act_layer.forward(bn1.forward(conv1.forward(x)));
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        x = bn4.forward(x).flatten(1);
        x = bn5.forward(fc5.forward(x));
        return nn.functional.normalize(x, 2.0, 1).MoveToOuterDisposeScope();
    }

    public Tensor Embed(Tensor images) => forward(images);

    /// <summary>Pre-activation residual block: BN, conv3×3, BN, PReLU, conv3×3 (stride), BN, plus the (projected) input.</summary>
    sealed class IRBlock : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> bn0, conv1, bn1, prelu, conv2, bn2;
        readonly nn.Module<Tensor, Tensor>? downsample;

        public IRBlock(long cin, long cout, long stride) : base(nameof(IRBlock))
        {
            bn0 = nn.BatchNorm2d(cin);
            conv1 = new GuardedConv2d(cin, cout, 3, 1, 1, bias: false);
            bn1 = nn.BatchNorm2d(cout);
            prelu = nn.PReLU(cout, 0.25);
            conv2 = new GuardedConv2d(cout, cout, 3, stride, 1, bias: false);
            bn2 = nn.BatchNorm2d(cout);
            if (stride != 1 || cin != cout)
                downsample = nn.Sequential(new GuardedConv2d(cin, cout, 1, stride, 0, bias: false), nn.BatchNorm2d(cout));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = bn2.forward(conv2.forward(prelu.forward(bn1.forward(conv1.forward(bn0.forward(x))))));
            var residual = downsample?.forward(x) ?? x;
            return (y + residual).MoveToOuterDisposeScope();
        }
    }
}
