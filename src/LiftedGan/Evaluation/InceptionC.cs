using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception-v3 17x17 block (Mixed_6b..6e): 1x1, factorised 7x7, double factorised 7x7 and pooled branches.</summary>
public sealed class InceptionC : nn.Module<Tensor, Tensor>
{
    readonly InceptionConv branch1x1, branch7x7_1, branch7x7_2, branch7x7_3,
        branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;
    readonly InceptionPool pool;

    public InceptionC(long cin, long c7, InceptionPool pool) : base(nameof(InceptionC))
    {
        branch1x1 = new InceptionConv(cin, 192, 1);
        branch7x7_1 = new InceptionConv(cin, c7, 1);
        branch7x7_2 = Row(c7, c7);
        branch7x7_3 = Column(c7, 192);
        branch7x7dbl_1 = new InceptionConv(cin, c7, 1);
        branch7x7dbl_2 = Column(c7, c7);
        branch7x7dbl_3 = Row(c7, c7);
        branch7x7dbl_4 = Column(c7, c7);
        branch7x7dbl_5 = Row(c7, 192);
        branch_pool = new InceptionConv(cin, 192, 1);
        this.pool = pool;
        RegisterComponents();
    }

    static InceptionConv Row(long cin, long cout) => new(cin, cout, (1, 7), padding: (0, 3));
    static InceptionConv Column(long cin, long cout) => new(cin, cout, (7, 1), padding: (3, 0));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = branch1x1.forward(x);
        var b = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        var c = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(branch7x7dbl_1.forward(x)))));
        var d = branch_pool.forward(InceptionMixed.Pool3x3(x, pool));
        return cat([a, b, c, d], 1).MoveToOuterDisposeScope();
    }
}
