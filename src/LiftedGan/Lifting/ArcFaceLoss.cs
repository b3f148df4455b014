using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Additive angular margin softmax (ArcFace, Deng et al. 2019): logits s·cos(θ_y + m) for the true class and s·cos θ
/// for the others, θ the angle between the unit embedding and the unit class centre; cross-entropy over classes.
/// </summary>
public sealed class ArcFaceLoss : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Parameter centres;
    readonly double _scale;

    public ArcFaceLoss(long dimension, long classes, double scale = 30, double margin = 0.5, Generator? generator = null) : base(nameof(ArcFaceLoss))
    {
        centres = new Parameter(randn(new long[] { classes, dimension }, generator: generator) * 0.01);
        _scale = scale;
        Margin = margin;
        RegisterComponents();
    }

    /// <summary>The additive angular margin m (radians); settable so that a run can raise it from 0 (margin warm-up).</summary>
    public double Margin { get; set; }

    /// <summary>Mean loss of unit embeddings (B, D) with integer labels (B).</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var cos = embeddings.matmul(nn.functional.normalize(centres, 2.0, 1).t()).clamp(-1 + 1e-7, 1 - 1e-7);
        var target = cos.gather(1, labels.unsqueeze(1));
        var theta = target.acos();
        // Beyond π − m the margin would turn the logit back up; use the monotone linear extension there (as ArcFace does).
        var marginal = where(theta + Margin < Math.PI, (theta + Margin).cos(), target - Margin * Math.Sin(Margin));
        var logits = cos.scatter(1, labels.unsqueeze(1), marginal) * _scale;
        return nn.functional.cross_entropy(logits, labels).MoveToOuterDisposeScope();
    }
}
