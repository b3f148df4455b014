using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Inception-v3 reduction 17→8 (Mixed_7a): 1x1 then strided 3x3, factorised 7x7 then strided 3x3, max pool.</summary>
public sealed class InceptionD : nn.Module<Tensor, Tensor>
{
    readonly InceptionConv branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionD(long cin) : base(nameof(InceptionD))
    {
        branch3x3_1 = new InceptionConv(cin, 192, 1);
        branch3x3_2 = new InceptionConv(192, 320, 3, stride: 2);
        branch7x7x3_1 = new InceptionConv(cin, 192, 1);
        branch7x7x3_2 = new InceptionConv(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new InceptionConv(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new InceptionConv(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = branch3x3_2.forward(branch3x3_1.forward(x));
        var b = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        var c = nn.functional.max_pool2d(x, 3, 2);
        return cat([a, b, c], 1).MoveToOuterDisposeScope();
    }
}
