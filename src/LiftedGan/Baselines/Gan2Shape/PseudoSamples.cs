using LiftedGan.Baselines.Unsup3d;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>Pseudo samples (B×3×S×S, clamped to [−1, 1]), where each is valid (B×1×S×S), and the raw views and lights they were rendered with.</summary>
public sealed record PseudoBatch(Tensor Images, Tensor Mask, Tensor Views, Tensor Lights) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in new[] { Images, Mask, Views, Lights }) t.Dispose();
    }
}

/// <summary>
/// GAN2Shape's step-2 input (§1.5): renders of the image's current depth and albedo under random views and lights. A
/// raw view is drawn from a normal (<see cref="Gan2ShapeConfig.ViewMean"/>, <see cref="Gan2ShapeConfig.ViewStd"/>), its
/// yaw scaled by view_scale and its z translation held at 0. A light keeps the image's own ambient a and diffuse b:
/// direction normalise(dx, dy, 1) with dx ~ U[x_min, x_max], dy ~ U[y_min, y_max]; r ~ U[d_min, d_max]; diffuse b + r,
/// ambient a + α·r (expressed as a raw light: 2a′ − 1, 2b′ − 1, dx, dy).
/// </summary>
public static class PseudoSamples
{
    /// <summary>Raw views B×6 drawn from <paramref name="g"/>.</summary>
    public static Tensor RandomViews(Gan2ShapeConfig config, int count, Generator g)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(config.ViewMean.Select(v => (float)v).ToArray()).view(1, 6);
        var std = tensor(config.ViewStd.Select(v => (float)v).ToArray()).view(1, 6);
        var view = mean + std * randn([count, 6], generator: g);
        var scale = tensor(new[] { 1f, (float)config.ViewScale, 1f, 1f, 1f, 0f }).view(1, 6);
        return (view * scale).MoveToOuterDisposeScope();
    }

    /// <summary>Raw lights B×4 around the image's raw light (1×4) drawn from <paramref name="g"/>.</summary>
    public static Tensor RandomLights(Gan2ShapeConfig config, Tensor imageLight, int count, Generator g)
    {
        using var scope = NewDisposeScope();
        var l = config.RandomLight;
        Tensor Uniform(double lo, double hi) => rand([count, 1], generator: g) * (hi - lo) + lo;
        var dx = Uniform(l[0], l[1]);
        var dy = Uniform(l[2], l[3]);
        var r = Uniform(l[4], l[5]);
        var ambient = imageLight[.., 0..1] / 2 + 0.5 + l[6] * r;
        var diffuse = imageLight[.., 1..2] / 2 + 0.5 + r;
        return cat([ambient * 2 - 1, diffuse * 2 - 1, dx, dy], 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="count"/> pseudo samples of a one-image decomposition <paramref name="d"/> (no gradients).
    /// </summary>
    public static PseudoBatch Render(Unsup3dModel model, Gan2ShapeConfig config, Unsup3dDecomposition d, int count, Generator g)
    {
        if (d.Depth.shape[0] != 1) throw new Gan2ShapeException("decomposition", $"pseudo samples are drawn from one image, got {d.Depth.shape[0]}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var views = RandomViews(config, count, g);
        var lights = RandomLights(config, d.Light.detach(), count, g);
        using var many = new Unsup3dDecomposition(d.Depth.detach().expand(count, -1, -1), d.Albedo.detach().expand(count, -1, -1, -1), lights.alias(), views.alias());
        using var render = model.Render(many);
        return new PseudoBatch(render.Render.Image.clamp(-1, 1).MoveToOuterDisposeScope(), render.Render.Mask.alias().MoveToOuterDisposeScope(),
            views.MoveToOuterDisposeScope(), lights.MoveToOuterDisposeScope());
    }
}
