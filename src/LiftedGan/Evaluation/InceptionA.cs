using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception-v3 35x35 block (Mixed_5b/5c/5d): 1x1, 5x5, double 3x3 and pooled branches.</summary>
public sealed class InceptionA : nn.Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;
    readonly InceptionPool pool;

    public InceptionA(long cin, long poolFeatures, InceptionPool pool) : base(nameof(InceptionA))
    {
        branch1x1 = new InceptionConv(cin, 64, 1);
        branch5x5_1 = new InceptionConv(cin, 48, 1);
        branch5x5_2 = new InceptionConv(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new InceptionConv(cin, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, padding: 1);
        branch_pool = new InceptionConv(cin, poolFeatures, 1);
        this.pool = pool;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = branch1x1.forward(x);
        var b = branch5x5_2.forward(branch5x5_1.forward(x));
        var c = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var d = branch_pool.forward(InceptionMixed.Pool3x3(x, pool));
        return cat([a, b, c, d], 1).MoveToOuterDisposeScope();
    }
}
