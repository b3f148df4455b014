using LiftedGan.Rendering;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// What Unsup3d reads from a batch of images (§2.1): canonical depth B×S×S in [min, max] (border columns at the border
/// depth), canonical albedo B×3×S×S in (−1, 1), raw light B×4 and raw view B×6 (tanh range; the z translation is held
/// at 0 as in the face configs). Owns its tensors.
/// </summary>
public sealed class Unsup3dDecomposition(Tensor depth, Tensor albedo, Tensor light, Tensor view) : IDisposable
{
    public Tensor Depth { get; } = depth;
    public Tensor Albedo { get; } = albedo;
    public Tensor Light { get; } = light;
    public Tensor View { get; } = view;

    /// <summary>Predicted pitch, yaw and roll in degrees, B×3 (raw view × 60°).</summary>
    public Tensor AnglesDegrees() => View[.., ..3] * ViewTransform.RotationRangeDegrees;

    internal Unsup3dDecomposition MoveToOuter()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    IEnumerable<Tensor> All => [Depth, Albedo, Light, View];

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}

/// <summary>
/// Unsup3d's photo-geometric autoencoder (Wu et al. 2020; spec related-systems §2): from one image, the depth network
/// (encoder-decoder, no activation; centred, tanh, mapped to [min, max], border columns overwritten), the albedo network
/// (encoder-decoder, tanh), the light network (encoder → 4, tanh), the view network (encoder → 6, tanh) and the
/// confidence network. The canonical maps are shaded (Lambertian, <see cref="Lighting"/>) and rendered into the predicted
/// view with this project's renderer (<see cref="DepthMapRenderer.RenderShaded"/>, the one LiftedGAN uses), plain and
/// with depth and albedo mirrored (the symmetry assumption). Networks are initialised from the config's seed.
/// </summary>
public sealed class Unsup3dModel : IDisposable
{
    public Unsup3dModel(Unsup3dConfig config)
    {
        if (config.Problem() is { } problem) throw new Unsup3dException("config", problem);
        TorchRuntime.EnsureLoaded();
        Config = config;
        int s = config.ImageSize;
        Depth = new Unsup3dEncoderDecoder(s, 1, config.Channels, config.Bottleneck, config.FirstEncoderNorm);
        Albedo = new Unsup3dEncoderDecoder(s, 3, config.Channels, config.Bottleneck, config.FirstEncoderNorm);
        Light = new Unsup3dEncoder(s, 4, config.EncoderChannels);
        View = new Unsup3dEncoder(s, 6, config.EncoderChannels);
        Confidence = config.UseConfidence ? new Unsup3dConfidenceNetwork(s, config.Channels, config.Bottleneck / 2, config.FirstEncoderNorm) : null;
        using (var init = new Generator((ulong)config.Seed))
            foreach (var (_, network) in Networks) SeededInit.Apply(network, init);
        Renderer = new DepthMapRenderer(config.RendererOptions);
    }

    public Unsup3dConfig Config { get; }
    public Unsup3dEncoderDecoder Depth { get; }
    public Unsup3dEncoderDecoder Albedo { get; }
    public Unsup3dEncoder Light { get; }
    public Unsup3dEncoder View { get; }
    /// <summary>The confidence network, or null when the config does not use it.</summary>
    public Unsup3dConfidenceNetwork? Confidence { get; }
    public DepthMapRenderer Renderer { get; }

    /// <summary>The networks with their checkpoint keys (the official names netD, netA, netL, netV, netC).</summary>
    public IReadOnlyList<(string Key, nn.Module Module)> Networks
    {
        get
        {
            var list = new List<(string, nn.Module)> { ("netD", Depth), ("netA", Albedo), ("netL", Light), ("netV", View) };
            if (Confidence is not null) list.Add(("netC", Confidence));
            return list;
        }
    }

    /// <summary>Every trained parameter, in <see cref="Networks"/> order.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> Parameters() => Networks.SelectMany(n => n.Module.parameters());

    /// <summary>Switches every network to training or evaluation mode.</summary>
    public void Train(bool train)
    {
        foreach (var (_, network) in Networks) network.train(train);
    }

    /// <summary>Decomposes images B×3×S×S in [−1, 1] into canonical depth, albedo, light and view.</summary>
    public Unsup3dDecomposition Decompose(Tensor image)
    {
        var c = Config;
        if (image.dim() != 4 || image.shape[1] != 3 || image.shape[2] != c.ImageSize || image.shape[3] != c.ImageSize)
            throw new Unsup3dException("image", $"expected B x 3 x {c.ImageSize} x {c.ImageSize}, got [{string.Join(", ", image.shape)}]");
        using var scope = NewDisposeScope();
        var depth = DepthGeometry.ClampBorder(CanonicalDepth(image), c.BorderDepth);
        var albedo = Albedo.forward(image).tanh();
        var light = Light.forward(image);
        var view = PredictView(image);
        return new Unsup3dDecomposition(depth, albedo, light, view).MoveToOuter();
    }

    /// <summary>The view network's raw view B×6 with the z translation held at 0 (the face configs).</summary>
    public Tensor PredictView(Tensor image)
    {
        using var scope = NewDisposeScope();
        var view = View.forward(image);
        return cat([view[.., ..5], zeros_like(view[.., 5..])], 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The depth network's canonical depth B×S×S before the border columns are set: raw output minus its spatial mean,
    /// tanh, mapped to [min, max] (§1.3).
    /// </summary>
    public Tensor CanonicalDepth(Tensor image)
    {
        using var scope = NewDisposeScope();
        var raw = Depth.forward(image).squeeze(1);
        raw = raw - raw.mean([1, 2], keepdim: true);
        return DepthGeometry.Rescale(raw.tanh(), Config.MinDepth, Config.MaxDepth).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The decomposition shaded and rendered into its view; <paramref name="flipped"/> mirrors depth and albedo first
    /// (same light and view).
    /// </summary>
    public ShadedRender Render(Unsup3dDecomposition d, bool flipped = false) =>
        flipped ? Renderer.RenderShaded(d.Depth.flip(2), d.Albedo.flip(3), d.Light, d.View)
                : Renderer.RenderShaded(d.Depth, d.Albedo, d.Light, d.View);

    /// <summary>The predicted view-space depth B×S×S (detached; background at the renderer's background depth) and its mask B×S×S.</summary>
    public (Tensor Depth, Tensor Mask) DepthInView(Unsup3dDecomposition d)
    {
        using var scope = NewDisposeScope();
        var depth = Renderer.RenderDepth(d.Depth, ViewTransform.ScaleRawView(d.View));
        var mask = depth.lt(Renderer.Options.BackgroundDepth).to(depth.dtype);
        return (depth.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        foreach (var (_, network) in Networks) network.Dispose();
    }
}
