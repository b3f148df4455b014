using LiftedGan.Rendering;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The 3D generator of LiftedGAN (official `LiftedGAN` model object): a frozen StyleGAN2 teacher, the four trained
/// networks (style decomposer D_L/D_V, style composer M, depth decoder D_S, transformation-map decoder D_T), the blur
/// and the renderer; the networks are initialised from the config's seed (<see cref="SeededInit"/>).
/// <see cref="Estimate"/> decomposes styles into depth, albedo, light, view and transformation map;
/// <see cref="Render"/> re-poses and re-lights them. Data flows one way: w → teacher → decoders → renderer.
/// </summary>
public sealed class LiftedGenerator : IDisposable
{
    public LiftedGenerator(StyleGenerator teacher, LiftingConfig config)
    {
        if (teacher.Config.Size != config.ImageSize)
            throw new ArgumentException($"teacher resolution {teacher.Config.Size} does not fit preset {config.Preset} ({config.ImageSize} px)");
        if (teacher.Config.StyleDim != config.StyleDim)
            throw new ArgumentException($"teacher style size {teacher.Config.StyleDim} does not fit preset {config.Preset} (style {config.StyleDim})");
        if (config.SettingsProblem() is { } problem) throw new ArgumentException(problem);
        Teacher = teacher;
        Config = config;
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        teacher.eval();
        long featureChannels = teacher.Config.ChannelsAt(config.ImageSize);
        DepthDecoder = new DepthDecoder(config.StyleDim, config.DepthSeedDim, featureChannels, config.ImageSize, config.DecoderBaseChannels);
        TransformationDecoder = new TransformationMapDecoder(config.StyleDim, 16, config.ImageSize, config.DecoderBaseChannels);
        Decomposer = new StyleDecomposer(config.StyleDim, config.MlpHidden, minDiffuse: config.MinDiffuse);
        Composer = new StyleComposer(config.StyleDim, config.MlpHidden, residual: config.ResidualComposer);
        ViewEncoder = config.ViewFromImage ? new ImageViewEncoder(config.ImageSize, disc: config.ViewInputDisc) : null;
        RollEncoder = config.ViewFromImage && config.ViewRollEncoder ? new ImageViewEncoder(config.ImageSize, disc: true) : null;
        Edit = config.ComposerEdit ? new LatentEdit(config.StyleDim, config.ComposerEditTranslation) : null;
        if (Edit is not null) teacher.RememberLatents(LatentEdit.RememberedLatents);
        using (var init = new Generator((ulong)config.Seed))
            foreach (var (_, network) in Networks) SeededInit.Apply(network, init);
        Blur = new GaussianBlur(config.BlurSize, config.BlurSigma);
        Renderer = new DepthMapRenderer(new RendererOptions
        {
            ImageSize = config.ImageSize, FieldOfViewDegrees = config.FieldOfView, MinDepth = config.MinDepth,
            MaxDepth = config.MaxDepth, RotationCenterDepth = config.RotationCenterDepth, BorderDepth = config.BorderDepth,
        });
    }

    public StyleGenerator Teacher { get; }
    public LiftingConfig Config { get; }
    public DepthDecoder DepthDecoder { get; }
    public TransformationMapDecoder TransformationDecoder { get; }
    public StyleDecomposer Decomposer { get; }
    public StyleComposer Composer { get; }
    /// <summary>The image view encoder (<see cref="LiftingConfig.ViewFromImage"/>), or null when netSD reads the view (official).</summary>
    public ImageViewEncoder? ViewEncoder { get; }
    /// <summary>
    /// The roll's own image encoder (<see cref="LiftingConfig.ViewRollEncoder"/>, checkpoint key netVR): the view's roll
    /// is its reading, everything else <see cref="ViewEncoder"/>'s; null when the view encoder reads the roll too.
    /// </summary>
    public ImageViewEncoder? RollEncoder { get; }
    /// <summary>The latent edit that composes styles (<see cref="LiftingConfig.ComposerEdit"/>), or null (official: netSC).</summary>
    public LatentEdit? Edit { get; }
    public GaussianBlur Blur { get; }
    public DepthMapRenderer Renderer { get; }

    /// <summary>
    /// The trained networks in the official order (netD, netT, netSD, netSC) with their checkpoint keys, then the image
    /// view encoder (netVI), the roll encoder (netVR) and the latent edit (netLE, or netLET with translation) when the config has them.
    /// </summary>
    public IReadOnlyList<(string Key, nn.Module Module)> Networks
    {
        get
        {
            var list = new List<(string, nn.Module)> { ("netD", DepthDecoder), ("netT", TransformationDecoder), ("netSD", Decomposer), ("netSC", Composer) };
            if (ViewEncoder is not null) list.Add((ViewEncoderKey, ViewEncoder));
            if (RollEncoder is not null) list.Add((RollEncoderKey, RollEncoder));
            if (Edit is not null) list.Add((Config.ComposerEditTranslation ? TranslationEditKey : EditKey, Edit));
            return list;
        }
    }

    /// <summary>Checkpoint key of <see cref="ViewEncoder"/>.</summary>
    public const string ViewEncoderKey = "netVI";

    /// <summary>Checkpoint key of <see cref="RollEncoder"/>.</summary>
    public const string RollEncoderKey = "netVR";

    /// <summary>Checkpoint key of <see cref="Edit"/>.</summary>
    public const string EditKey = "netLE";

    /// <summary>
    /// Checkpoint key of <see cref="Edit"/> when it also sets the translation (<see cref="LiftingConfig.ComposerEditTranslation"/>):
    /// its buffers have two more readings, so a lift resumed with the switch fits a new edit at its first step.
    /// </summary>
    public const string TranslationEditKey = "netLET";

    /// <summary>Parameters the optimiser updates, in the official order (the decomposer's dead style head excluded), the image encoders' last (netVI, then netVR).</summary>
    public IEnumerable<Parameter> TrainableParameters() =>
        DepthDecoder.parameters().Concat(TransformationDecoder.parameters()).Concat(Decomposer.TrainableParameters()).Concat(Composer.parameters())
            .Concat(ImageEncoderParameters());

    /// <summary>The image view encoders' parameters (netVI, then netVR); none when the view is read from the style.</summary>
    public IEnumerable<Parameter> ImageEncoderParameters() =>
        (ViewEncoder?.parameters() ?? Enumerable.Empty<Parameter>()).Concat(RollEncoder?.parameters() ?? Enumerable.Empty<Parameter>());

    /// <summary>
    /// Raw light and view of styles w: both from netSD (official), or with <see cref="LiftingConfig.ViewFromImage"/>
    /// the view from the encoder on the teacher's image of w (<paramref name="image"/> if the caller has it, clamped to
    /// [−1, 1]). <paramref name="train"/> false holds the networks' weights fixed (gradients still reach w).
    /// </summary>
    public (Tensor Light, Tensor View) LightAndView(Tensor w, bool train = true, Tensor? image = null)
    {
        if (ViewEncoder is null) return train ? Decomposer.forward(w) : Decomposer.ForwardFixed(w);
        using var scope = NewDisposeScope();
        var (light, _) = train ? Decomposer.forward(w) : Decomposer.ForwardFixed(w);
        image ??= Synthesize(w).Image;
        var input = image.clamp(-1, 1);
        Tensor view;
        if (train) view = ReadView(input);
        else
        {
            var weights = ImageEncoderParameters().Where(p => p.requires_grad).ToList();
            foreach (var p in weights) p.requires_grad = false;
            try { view = ReadView(input); }
            finally { foreach (var p in weights) p.requires_grad = true; }
        }
        return (light.MoveToOuterDisposeScope(), view.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The raw view (B, 6) of images in [−1, 1] read by the image encoders (<see cref="LiftingConfig.ViewFromImage"/>):
    /// <see cref="ViewEncoder"/>'s, its roll replaced by <see cref="RollEncoder"/>'s when there is one.
    /// </summary>
    public Tensor ReadView(Tensor image)
    {
        if (ViewEncoder is null) throw new InvalidOperationException("the view is read from the style (view_from_image is off)");
        if (RollEncoder is null) return ViewEncoder.forward(image);
        using var scope = NewDisposeScope();
        var view = ViewEncoder.forward(image);
        var roll = RollEncoder.forward(image);
        return cat(new[] { view[.., ..2], roll[.., 2..3], view[.., 3..] }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Copies the view encoder's weights into the roll encoder (a lift resumed with <see cref="LiftingConfig.ViewRollEncoder"/> newly on).</summary>
    public void StartRollEncoderFromViewEncoder()
    {
        if (RollEncoder is null || ViewEncoder is null) throw new InvalidOperationException("the lift has no roll encoder (view_roll_encoder is off)");
        using var _ = no_grad();
        foreach (var (to, from) in RollEncoder.parameters().Zip(ViewEncoder.parameters())) to.copy_(from);
    }

    /// <summary>Runs the teacher on w (B×D) with its stored noise; returns image and full-resolution feature.</summary>
    public (Tensor Image, Tensor Feature) Synthesize(Tensor w)
    {
        using var scope = NewDisposeScope();
        var output = Teacher.Generate(new[] { w }, new GenerateOptions { InputIsLatent = true, RandomizeNoise = false });
        return (output.Image.MoveToOuterDisposeScope(), output.Feat.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The composed style of w with light L and view V: M(w, L, V), or map(M(w, L, V)) through the teacher's frozen
    /// mapping network with <see cref="LiftingConfig.ComposerInLatent"/>, or the latent edit of w with
    /// <see cref="LiftingConfig.ComposerEdit"/>.
    /// </summary>
    public Tensor Compose(Tensor w, Tensor light, Tensor view)
    {
        if (Edit is not null) return Edit.Apply(Teacher, w, light, view);
        if (!Config.ComposerInLatent) return Composer.forward(w, light, view);
        using var scope = NewDisposeScope();
        return Teacher.Map(Composer.forward(w, light, view)).MoveToOuterDisposeScope();
    }

    /// <summary>The canonical light of raw lights <paramref name="light"/> (B×4): their ambient and diffuse, no direction.</summary>
    public static Tensor NeutralLight(Tensor light) => cat(new[] { light[.., ..2], zeros_like(light[.., 2..]) }, 1);

    /// <summary>The canonical style M(w, L0, 0) of styles w (detached) whose raw light is <paramref name="light"/>.</summary>
    public Tensor NeutralStyle(Tensor w, Tensor light)
    {
        using var scope = NewDisposeScope();
        var view = zeros(new long[] { w.shape[0], 6 }, dtype: w.dtype, device: w.device);
        return Compose(w.detach(), NeutralLight(light), view).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The canonical depth (B, S, S) of styles <paramref name="w"/>: the depth decoder on the neutral style (or on w with
    /// <see cref="LiftingConfig.DepthFromSourceStyle"/>) and the teacher's feature map of the neutral style, mean-centred,
    /// squashed into the depth range and border-clamped as the config says.
    /// </summary>
    public Tensor DecodeDepth(Tensor w, Tensor neutralStyle, Tensor feature)
    {
        using var scope = NewDisposeScope();
        var raw = DepthDecoder.forward(Config.DepthFromSourceStyle ? w.detach() : neutralStyle, feature).squeeze(1);
        raw = raw - raw.mean(new long[] { 1, 2 }, keepdim: true);
        var depth = DepthGeometry.Rescale(raw.tanh(), Config.MinDepth, Config.MaxDepth);
        if (Config.ClampBorder) depth = DepthGeometry.ClampBorder(depth, Config.BorderDepth);
        return depth.MoveToOuterDisposeScope();
    }

    /// <summary>Official estimate(w): depth, albedo, light, view, neutral style, transformation map, canonical image.</summary>
    /// <param name="w">Styles (B, D).</param>
    /// <param name="image">The teacher's image of w if the caller has it (read only with <see cref="LiftingConfig.ViewFromImage"/>).</param>
    public LiftedEstimate Estimate(Tensor w, Tensor? image = null)
    {
        using var scope = NewDisposeScope();
        var (light, view) = LightAndView(w, image: image);
        var neutralStyle = NeutralStyle(w, light);
        var (canonImage, feature) = Synthesize(neutralStyle);

        var depth = DecodeDepth(w, neutralStyle, feature);

        var trans = (TransformationDecoder.forward(neutralStyle) + Config.TransformationBias).sigmoid();
        var nearMask = depth.le(Config.BorderDepth - 0.01).to(trans.dtype).unsqueeze(1).detach();
        trans = nearMask + (1 - nearMask) * trans;
        trans = Blur.forward(trans);
        long h = trans.shape[2], wd = trans.shape[3];
        trans = nn.functional.pad(trans[.., .., 1..(int)(h - 1), 2..(int)(wd - 2)], new long[] { 2, 2, 1, 1 });

        using var frontal = Lighting.Parse(light, frontalize: true);
        var shading = Lighting.Shading(Renderer.Normals(depth), frontal);
        var albedo = Lighting.Delight(canonImage, shading);
        return new LiftedEstimate(depth, albedo, light, view, neutralStyle, trans, canonImage).MoveToOuter();
    }

    /// <summary>
    /// Official render(depth, albedo, light, view, trans_map): shading from the depth's normals, and the mesh built from
    /// the contour-gradient-clipped depth when <see cref="LiftingConfig.ClipRenderGradient"/> is set.
    /// </summary>
    public ShadedRender Render(Tensor depth, Tensor albedo, Tensor rawLight, Tensor rawView, Tensor? transformationMap, bool useLight = true)
    {
        // The clipped depth belongs to the caller's dispose scope, like the render itself.
        var geometry = Config.ClipRenderGradient && depth.requires_grad ? ContourGradientClip.Apply(depth) : null;
        return Renderer.RenderShaded(depth, albedo, rawLight, rawView, transformationMap, useLight, geometry);
    }

    public void Dispose()
    {
        DepthDecoder.Dispose();
        TransformationDecoder.Dispose();
        Decomposer.Dispose();
        Composer.Dispose();
        ViewEncoder?.Dispose();
        RollEncoder?.Dispose();
        Edit?.Dispose();
        Blur.Dispose();
    }
}
