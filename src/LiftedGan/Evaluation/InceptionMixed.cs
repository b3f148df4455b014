using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// The pooling branch's pool of an Inception mixed block. torchvision's blocks average with the padding counted; the
/// TF-ported FID network (pytorch-fid's FIDInceptionA/C/E_1) excludes it, and its last block (FIDInceptionE_2) takes
/// a max instead.
/// </summary>
public enum InceptionPool
{
    AverageCountingPadding,
    AverageExcludingPadding,
    Max,
}

/// <summary>Helpers shared by the Inception mixed blocks.</summary>
static class InceptionMixed
{
    /// <summary>3x3 stride-1 pool with padding 1, of the given kind.</summary>
    public static Tensor Pool3x3(Tensor x, InceptionPool kind) => kind switch
    {
        InceptionPool.Max => nn.functional.max_pool2d(x, 3, 1, 1),
        InceptionPool.AverageExcludingPadding => nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad: false),
        _ => nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad: true),
    };
}
