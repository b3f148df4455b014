using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception-v3 8x8 block (Mixed_7b/7c): 1x1, split 3x3, double split 3x3 and pooled branches.</summary>
public sealed class InceptionE : nn.Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b,
        branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
    readonly InceptionPool pool;

    public InceptionE(long cin, InceptionPool pool) : base(nameof(InceptionE))
    {
        branch1x1 = new InceptionConv(cin, 320, 1);
        branch3x3_1 = new InceptionConv(cin, 384, 1);
        branch3x3_2a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new InceptionConv(cin, 448, 1);
        branch3x3dbl_2 = new InceptionConv(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new InceptionConv(cin, 192, 1);
        this.pool = pool;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = branch1x1.forward(x);
        var s = branch3x3_1.forward(x);
        var b = cat([branch3x3_2a.forward(s), branch3x3_2b.forward(s)], 1);
        var t = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        var c = cat([branch3x3dbl_3a.forward(t), branch3x3dbl_3b.forward(t)], 1);
        var d = branch_pool.forward(InceptionMixed.Pool3x3(x, pool));
        return cat([a, b, c, d], 1).MoveToOuterDisposeScope();
    }
}
