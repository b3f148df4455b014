using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Rendering;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// What a finished fit says about its image (batch 1, owns its tensors): the input image, canonical depth 1×S×S and
/// normals 1×S×S×3, the reconstruction 1×3×S×S, the depth rendered in the predicted view 1×S×S (background at the
/// renderer's background depth) with its coverage 1×S×S, pitch, yaw, roll in degrees 1×3, the shaded canonical image
/// 1×3×S×S and the raw view 1×6 (what renders the reconstruction from another view).
/// </summary>
public sealed record Gan2ShapeOutputs(Tensor Image, Tensor CanonicalDepth, Tensor Normals, Tensor Reconstruction, Tensor ViewDepth, Tensor ViewMask,
    Tensor Angles, Tensor CanonicalImage, Tensor RawView) : IDisposable
{
    /// <summary>The outputs of <paramref name="instance"/>'s current networks (no gradients).</summary>
    public static Gan2ShapeOutputs Of(Gan2ShapeInstance instance)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = instance.Model;
        using var d = instance.CurrentDecomposition();
        using var render = model.Render(d);
        var (depth, mask) = model.DepthInView(d);
        return new Gan2ShapeOutputs(instance.Image.clone(), d.Depth.alias(), render.CanonNormal.alias(), render.Render.Image.clamp(-1, 1),
            depth, mask, d.AnglesDegrees(), render.CanonImage.alias(), d.View.alias()).MoveToOuter();
    }

    internal Gan2ShapeOutputs MoveToOuter()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    IEnumerable<Tensor> All => [Image, CanonicalDepth, Normals, Reconstruction, ViewDepth, ViewMask, Angles, CanonicalImage, RawView];

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}

/// <summary>
/// GAN2Shape's visual outputs (spec related-systems §1.9, `save_results`): the current image's reconstructed depth and
/// albedo rendered under other views and lights. Views are raw (rotation × 60°, no translation); lights follow the
/// relighting of the official code: direction normalise(dx, dy, 1), diffuse b + r and ambient a + α·r around the
/// image's own ambient a and diffuse b (α the config's rand_light α, −0.6 for faces).
/// </summary>
public static class Gan2ShapeRenders
{
    /// <summary>The official yaw sweep (9 angles in ±70°), pitch sweep (5 in ±20°), in degrees.</summary>
    public static IReadOnlyList<double> Yaws { get; } = [-70, -52.5, -35, -17.5, 0, 17.5, 35, 52.5, 70];
    public static IReadOnlyList<double> Pitches { get; } = [-20, -10, 0, 10, 20];

    /// <summary>The official relighting grid: dx ∈ {−1.5, −0.7, 0, 0.7, 1.5} × dy ∈ {0, 0.6} for r = 0.3, then for r = 0.6.</summary>
    public static IReadOnlyList<(double Dx, double Dy, double R)> Relights { get; } =
        [.. from r in new[] { 0.3, 0.6 } from dy in new[] { 0.0, 0.6 } from dx in new[] { -1.5, -0.7, 0, 0.7, 1.5 } select (dx, dy, r)];

    /// <summary>Renders B×3×S×S (clamped) of the current image's depth and albedo at canonical pitch, yaw, roll (degrees; B×3) under its own light.</summary>
    public static Tensor AtAngles(Gan2ShapeInstance instance, Tensor anglesDegrees)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var d = instance.CurrentDecomposition();
        long b = anglesDegrees.shape[0];
        var views = cat([anglesDegrees.to(ScalarType.Float32) / ViewTransform.RotationRangeDegrees, zeros(b, 3)], 1);
        return Render(instance.Model, d, d.Light.expand(b, -1), views).MoveToOuterDisposeScope();
    }

    /// <summary>The yaw sweep (<see cref="Yaws"/>, pitch and roll 0) and the pitch sweep (<see cref="Pitches"/>, yaw and roll 0).</summary>
    public static Tensor YawSweep(Gan2ShapeInstance instance) => AtAngles(instance, Angles(Yaws, axis: 1));
    public static Tensor PitchSweep(Gan2ShapeInstance instance) => AtAngles(instance, Angles(Pitches, axis: 0));

    static Tensor Angles(IReadOnlyList<double> values, int axis)
    {
        var a = new float[values.Count * 3];
        for (int i = 0; i < values.Count; i++) a[3 * i + axis] = (float)values[i];
        return tensor(a, [values.Count, 3]);
    }

    /// <summary>Renders (clamped) at the image's predicted view under each light of <paramref name="lights"/> (default <see cref="Relights"/>).</summary>
    public static Tensor Relight(Gan2ShapeInstance instance, IReadOnlyList<(double Dx, double Dy, double R)>? lights = null)
    {
        lights ??= Relights;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var d = instance.CurrentDecomposition();
        double alpha = instance.Config.RandomLight[6];
        var own = d.Light[0].data<float>().ToArray();
        double a = own[0] / 2 + 0.5, b = own[1] / 2 + 0.5;
        var raw = new float[lights.Count * 4];
        for (int i = 0; i < lights.Count; i++)
        {
            var (dx, dy, r) = lights[i];
            raw[4 * i] = (float)(2 * (a + alpha * r) - 1);
            raw[4 * i + 1] = (float)(2 * (b + r) - 1);
            raw[4 * i + 2] = (float)dx;
            raw[4 * i + 3] = (float)dy;
        }
        return Render(instance.Model, d, tensor(raw, [lights.Count, 4]), d.View.expand(lights.Count, -1)).MoveToOuterDisposeScope();
    }

    static Tensor Render(Unsup3dModel model, Unsup3dDecomposition d, Tensor lights, Tensor views)
    {
        long b = lights.shape[0];
        using var many = new Unsup3dDecomposition(d.Depth.expand(b, -1, -1), d.Albedo.expand(b, -1, -1, -1), lights.alias(), views.alias());
        using var render = model.Render(many);
        return render.Render.Image.clamp(-1, 1);
    }
}
