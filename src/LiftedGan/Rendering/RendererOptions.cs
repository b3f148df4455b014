namespace LiftedGan.Rendering;

/// <summary>
/// Configuration of <see cref="DepthMapRenderer"/>, mirroring the official Renderer's parameters (FFHQ and cats
/// configs: 256 px, 10° field of view, depth range 0.9–1.1, rotation centre 1.0, border depth 1.05).
/// </summary>
public sealed record RendererOptions
{
    /// <summary>Side S of the square depth map and of the rendered image.</summary>
    public int ImageSize { get; init; } = 256;

    /// <summary>Full field of view in degrees (vertical = horizontal).</summary>
    public double FieldOfViewDegrees { get; init; } = 10;

    /// <summary>Smallest canonical depth (tanh output -1 maps here).</summary>
    public double MinDepth { get; init; } = 0.9;

    /// <summary>Largest canonical depth (tanh output +1 maps here).</summary>
    public double MaxDepth { get; init; } = 1.1;

    /// <summary>Depth of the rotation centre C = (0, 0, c); null means (MinDepth + MaxDepth) / 2.</summary>
    public double? RotationCenterDepth { get; init; } = 1.0;

    /// <summary>Depth written into the left and right border columns by <see cref="DepthGeometry.ClampBorder"/>.</summary>
    public double BorderDepth { get; init; } = 1.05;

    /// <summary>Colour of pixels no face covers (1 = white in the [-1, 1] image range).</summary>
    public double BackgroundColor { get; init; } = 1.0;

    /// <summary>Perspective-correct barycentrics (the official renderer uses screen-space ones: false).</summary>
    public bool PerspectiveCorrect { get; init; }

    /// <summary>The rotation centre depth actually used.</summary>
    public double CenterDepth => RotationCenterDepth ?? (MinDepth + MaxDepth) / 2;

    /// <summary>Depth written into background pixels of a rendered depth map: MaxDepth + (MaxDepth - MinDepth) / 2 (1.2).</summary>
    public double BackgroundDepth => MaxDepth + 0.5 * (MaxDepth - MinDepth);

    /// <summary>Throws <see cref="RenderInputException"/> for values the renderer cannot use.</summary>
    public void Validate()
    {
        if (ImageSize < 2) throw new RenderInputException(nameof(ImageSize), $"must be at least 2, got {ImageSize}");
        if (!(FieldOfViewDegrees > 0 && FieldOfViewDegrees < 180))
            throw new RenderInputException(nameof(FieldOfViewDegrees), $"must lie in (0, 180), got {FieldOfViewDegrees}");
        if (!(MinDepth > 0 && MaxDepth > MinDepth))
            throw new RenderInputException(nameof(MaxDepth), $"need 0 < MinDepth < MaxDepth, got {MinDepth} and {MaxDepth}");
        if (!double.IsFinite(CenterDepth)) throw new RenderInputException(nameof(RotationCenterDepth), "must be finite");
        if (!double.IsFinite(BorderDepth)) throw new RenderInputException(nameof(BorderDepth), "must be finite");
        if (!double.IsFinite(BackgroundColor)) throw new RenderInputException(nameof(BackgroundColor), "must be finite");
    }
}
