using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception-v3 reduction 35→17 (Mixed_6a): strided 3x3, strided double 3x3 and a max pool.</summary>
public sealed class InceptionB : nn.Module<Tensor, Tensor>
{
    readonly InceptionConv branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionB(long cin) : base(nameof(InceptionB))
    {
        branch3x3 = new InceptionConv(cin, 384, 3, stride: 2);
        branch3x3dbl_1 = new InceptionConv(cin, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = branch3x3.forward(x);
        var b = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var c = nn.functional.max_pool2d(x, 3, 2);
        return cat([a, b, c], 1).MoveToOuterDisposeScope();
    }
}
