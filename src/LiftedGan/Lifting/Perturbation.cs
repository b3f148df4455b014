using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// A perturbed light and view for each sample (official perturb): ambient/diffuse and direction taken from two random
/// permutations of the batch's lights; pitch and yaw drawn uniformly (roll 0, or uniform in ± <see cref="LiftingConfig.PerturbRoll"/>) and written as a
/// raw view [pitch/60, yaw/60, roll/60, s·sin(yaw)/0.1, 0, 0] (s: <see cref="LiftingConfig.PerturbShift"/>, official 0.02). Both are detached. Owns its tensors.
/// </summary>
public sealed class Perturbation : IDisposable
{
    Perturbation(Tensor light, Tensor view, Tensor yaw, Tensor pitch)
    {
        Light = light; View = view; YawDegrees = yaw; PitchDegrees = pitch;
    }

    public Tensor Light { get; }
    public Tensor View { get; }
    public Tensor YawDegrees { get; }
    public Tensor PitchDegrees { get; }

    /// <summary>Draws a perturbation for a batch of raw lights B×4 (the view only fixes device and dtype).</summary>
    public static Perturbation Sample(Tensor light, LiftingConfig config, Generator g)
    {
        using var scope = NewDisposeScope();
        long b = light.shape[0];
        var p1 = randperm(b, generator: g).to(light.device);
        var p2 = randperm(b, generator: g).to(light.device);
        var perturbedLight = cat(new[] { light.detach().index_select(0, p1)[.., ..2], light.detach().index_select(0, p2)[.., 2..] }, 1);
        var pitch = ((rand(b, generator: g) * 2 - 1) * config.PerturbPitch).to(light.dtype).to(light.device);
        var yaw = ((rand(b, generator: g) * 2 - 1) * config.PerturbYaw).to(light.dtype).to(light.device);
        var zero = zeros_like(yaw);
        var roll = config.PerturbRoll > 0
            ? ((rand(b, generator: g) * 2 - 1) * config.PerturbRoll).to(light.dtype).to(light.device)
            : zero;
        var view = stack(new[] { pitch / LiftedGan.Rendering.ViewTransform.RotationRangeDegrees, yaw / LiftedGan.Rendering.ViewTransform.RotationRangeDegrees,
            roll / LiftedGan.Rendering.ViewTransform.RotationRangeDegrees,
            config.PerturbShift / LiftedGan.Rendering.ViewTransform.XyTranslationRange * (yaw * (Math.PI / 180)).sin(), zero, zero }, 1);
        return new Perturbation(perturbedLight.MoveToOuterDisposeScope(), view.MoveToOuterDisposeScope(),
            yaw.MoveToOuterDisposeScope(), pitch.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The raw view that shows a left-right symmetric face as the mirror image of its view <paramref name="rawView"/>
    /// (B x 6): yaw, roll and the x translation change sign, pitch, y and z stay.
    /// </summary>
    public static Tensor MirrorView(Tensor rawView) =>
        rawView * tensor(new float[] { 1, -1, -1, -1, 1, 1 }, dtype: rawView.dtype, device: rawView.device);

    /// <summary>The raw light (B x 4) whose shading is the mirror image of <paramref name="rawLight"/>'s: the x direction changes sign.</summary>
    public static Tensor MirrorLight(Tensor rawLight) =>
        rawLight * tensor(new float[] { 1, 1, -1, 1 }, dtype: rawLight.dtype, device: rawLight.device);

    public void Dispose()
    {
        Light.Dispose(); View.Dispose(); YawDegrees.Dispose(); PitchDegrees.Dispose();
    }
}
