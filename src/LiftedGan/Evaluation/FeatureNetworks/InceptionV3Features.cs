using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Which Inception-v3 the weights belong to, which decides the pooling of the mixed blocks.</summary>
public enum InceptionVariant
{
    /// <summary>The TF-ported FID network (`pt_inception-2015-12-05`, pytorch-fid's FIDInceptionA/C/E_1/E_2).</summary>
    Fid,

    /// <summary>torchvision's ImageNet inception_v3 (average pools count the padding, average pool in Mixed_7c).</summary>
    Torchvision,
}

/// <summary>
/// Inception-v3 up to the 2048-d final average pool ("pool3"), the FID feature extractor of pytorch-fid's
/// InceptionV3 wrapper: images are resized bilinearly (align_corners false) to 299x299, then four blocks run —
/// block 0 = Conv2d_1a/2a/2b + max pool, block 1 = Conv2d_3b/4a + max pool, block 2 = Mixed_5b..6e,
/// block 3 = Mixed_7a..7c + global average pool. Inputs are expected in [-1, 1] (as LiftedGAN's test_fid feeds them;
/// the wrapper's normalize_input 2x-1 maps [0, 1] there). State-dict keys are those of the official checkpoints
/// (`Conv2d_1a_3x3.conv.weight`, `Mixed_5b.branch1x1.bn.running_mean`, …) without `fc` and `AuxLogits`. Frozen.
/// </summary>
public sealed class InceptionV3Features : nn.Module<Tensor, Tensor>
{
    /// <summary>Side length the network runs at.</summary>
    public const int InputSize = 299;

    /// <summary>Length of a feature vector.</summary>
    public const int FeatureSize = 2048;

    [ComponentName(Name = "Conv2d_1a_3x3")] readonly InceptionConv conv1a;
    [ComponentName(Name = "Conv2d_2a_3x3")] readonly InceptionConv conv2a;
    [ComponentName(Name = "Conv2d_2b_3x3")] readonly InceptionConv conv2b;
    [ComponentName(Name = "Conv2d_3b_1x1")] readonly InceptionConv conv3b;
    [ComponentName(Name = "Conv2d_4a_3x3")] readonly InceptionConv conv4a;
    [ComponentName(Name = "Mixed_5b")] readonly InceptionA mixed5b;
    [ComponentName(Name = "Mixed_5c")] readonly InceptionA mixed5c;
    [ComponentName(Name = "Mixed_5d")] readonly InceptionA mixed5d;
    [ComponentName(Name = "Mixed_6a")] readonly InceptionB mixed6a;
    [ComponentName(Name = "Mixed_6b")] readonly InceptionC mixed6b;
    [ComponentName(Name = "Mixed_6c")] readonly InceptionC mixed6c;
    [ComponentName(Name = "Mixed_6d")] readonly InceptionC mixed6d;
    [ComponentName(Name = "Mixed_6e")] readonly InceptionC mixed6e;
    [ComponentName(Name = "Mixed_7a")] readonly InceptionD mixed7a;
    [ComponentName(Name = "Mixed_7b")] readonly InceptionE mixed7b;
    [ComponentName(Name = "Mixed_7c")] readonly InceptionE mixed7c;

    public InceptionV3Features(InceptionVariant variant) : base(nameof(InceptionV3Features))
    {
        Variant = variant;
        var average = variant == InceptionVariant.Fid ? InceptionPool.AverageExcludingPadding : InceptionPool.AverageCountingPadding;
        conv1a = new InceptionConv(3, 32, 3, stride: 2);
        conv2a = new InceptionConv(32, 32, 3);
        conv2b = new InceptionConv(32, 64, 3, padding: 1);
        conv3b = new InceptionConv(64, 80, 1);
        conv4a = new InceptionConv(80, 192, 3);
        mixed5b = new InceptionA(192, 32, average);
        mixed5c = new InceptionA(256, 64, average);
        mixed5d = new InceptionA(288, 64, average);
        mixed6a = new InceptionB(288);
        mixed6b = new InceptionC(768, 128, average);
        mixed6c = new InceptionC(768, 160, average);
        mixed6d = new InceptionC(768, 160, average);
        mixed6e = new InceptionC(768, 192, average);
        mixed7a = new InceptionD(768);
        mixed7b = new InceptionE(1280, average);
        mixed7c = new InceptionE(2048, variant == InceptionVariant.Fid ? InceptionPool.Max : average);
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
    }

    /// <summary>The pooling variant this network was built with.</summary>
    public InceptionVariant Variant { get; }

    /// <summary>Pool3 features (B, 2048) of images (B, 3, H, W) in [-1, 1]; any H, W (resized to 299).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var blocks = Blocks(images);
        return blocks[3].flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>The outputs of blocks 0–3 (B×64×73×73, B×192×35×35, B×768×17×17, B×2048×1×1 at 299 px).</summary>
    public Tensor[] Blocks(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new EvaluationException("images", $"expected (B, 3, H, W), got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.to(ScalarType.Float32);
        if (x.shape[2] != InputSize || x.shape[3] != InputSize)
            x = nn.functional.interpolate(x, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // channels_last: ~10 % less CPU per image
        var b0 = nn.functional.max_pool2d(conv2b.forward(conv2a.forward(conv1a.forward(x))), 3, 2);
        var b1 = nn.functional.max_pool2d(conv4a.forward(conv3b.forward(b0)), 3, 2);
        var h = b1;
        foreach (var m in new nn.Module<Tensor, Tensor>[] { mixed5b, mixed5c, mixed5d, mixed6a, mixed6b, mixed6c, mixed6d, mixed6e })
            h = m.forward(h);
        var b2 = h;
        h = mixed7c.forward(mixed7b.forward(mixed7a.forward(b2)));
        var b3 = nn.functional.adaptive_avg_pool2d(h, [1, 1]);
        var result = new[] { b0, b1, b2, b3 };
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }
}

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

/// <summary>Inception's basic unit: convolution without bias, batch norm (eps 1e-3, inference statistics), ReLU.</summary>
public sealed class InceptionConv : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly nn.Module<Tensor, Tensor> bn;

    public InceptionConv(long cin, long cout, (long H, long W) kernel, (long H, long W) stride = default, (long H, long W) padding = default)
        : base(nameof(InceptionConv))
    {
        var s = stride == default ? (1L, 1L) : stride;
        conv = new GuardedConv2d(cin, cout, kernel, stride: s, padding: padding, bias: false);
        bn = nn.BatchNorm2d(cout, eps: 1e-3);
        RegisterComponents();
    }

    /// <summary>Square kernel of size k with the given stride and padding.</summary>
    public InceptionConv(long cin, long cout, long k, long stride = 1, long padding = 0)
        : this(cin, cout, (k, k), (stride, stride), (padding, padding)) { }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.forward(conv.forward(x)));
}

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
