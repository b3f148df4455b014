using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The embedded default's face embedding: a small residual CNN trained on the procedural world's identity labels with
/// an additive-angular-margin softmax (ArcFace). Input (B, 3, H, W) in [−1, 1], resized to <see cref="InputSize"/>;
/// output (B, D) unit vectors. Stem conv → 4 stride-2 stages of a residual block → BN → global average → Linear → BN.
/// </summary>
public sealed class IdentityEmbeddingNetwork : nn.Module<Tensor, Tensor>, IFaceEmbedding
{
    readonly nn.Module<Tensor, Tensor> stem;
    readonly nn.Module<Tensor, Tensor> stages;
    readonly nn.Module<Tensor, Tensor> head;

    public IdentityEmbeddingNetwork(int inputSize = 64, long width = 32, long dimension = 128) : base(nameof(IdentityEmbeddingNetwork))
    {
        InputSize = inputSize;
        Dimension = dimension;
        stem = nn.Sequential(new GuardedConv2d(3, width, 3, 1, 1, bias: false), nn.BatchNorm2d(width), nn.ReLU());
        var blocks = new List<nn.Module<Tensor, Tensor>>();
        long c = width;
        for (int i = 0; i < 4; i++) { blocks.Add(new Block(c, c * 2)); c *= 2; }
        stages = nn.Sequential(blocks);
        head = nn.Sequential(nn.BatchNorm2d(c), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, dimension), nn.BatchNorm1d(dimension));
        RegisterComponents();
    }

    public int InputSize { get; }
    public long Dimension { get; }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.shape[2] == InputSize && images.shape[3] == InputSize ? images
            : nn.functional.interpolate(images, new long[] { InputSize, InputSize }, mode: InterpolationMode.Bilinear, align_corners: false);
        var e = head.forward(stages.forward(stem.forward(x)));
        return nn.functional.normalize(e, 2.0, 1).MoveToOuterDisposeScope();
    }

    public Tensor Embed(Tensor images) => forward(images);

    /// <summary>conv3×3 stride 2 → BN → ReLU → conv3×3 → BN, plus a strided 1×1 projection; ReLU after the sum.</summary>
    sealed class Block : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> main, skip;

        public Block(long cin, long cout) : base(nameof(Block))
        {
            main = nn.Sequential(new GuardedConv2d(cin, cout, 3, 2, 1, bias: false), nn.BatchNorm2d(cout), nn.ReLU(),
                new GuardedConv2d(cout, cout, 3, 1, 1, bias: false), nn.BatchNorm2d(cout));
            skip = nn.Sequential(new GuardedConv2d(cin, cout, 1, 2, 0, bias: false), nn.BatchNorm2d(cout));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return nn.functional.relu(main.forward(x) + skip.forward(x)).MoveToOuterDisposeScope();
        }
    }
}
