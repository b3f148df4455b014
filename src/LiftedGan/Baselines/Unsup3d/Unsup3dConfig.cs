using System.Text.Json;
using LiftedGan.Rendering;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// Everything that defines an Unsup3d model and its training (spec related-systems §2.1, configs train_synface.yml /
/// train_celeba.yml): sizes, the depth range and border depth of §1.3, loss weights λ_flip = 0.5, λ_perc = 1, Adam
/// lr 1e-4 with weight decay 5e-4. The official model is 64 px with encoder-decoders of 64 base channels and a 256-d
/// bottleneck (<see cref="Official"/>); smaller sizes exist for tests and CPU runs. Stored as JSON inside every
/// checkpoint (<see cref="Unsup3dCheckpoint.ConfigKey"/>).
/// </summary>
public sealed record Unsup3dConfig
{
    /// <summary>Side S of the square input image, canonical maps and render (a power of two, at least 16).</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Base channels of the depth, albedo and confidence encoder-decoders (official nf 64).</summary>
    public long Channels { get; init; } = 64;

    /// <summary>Base channels of the light and view encoders (official nf 32).</summary>
    public long EncoderChannels { get; init; } = 32;

    /// <summary>Bottleneck size of the depth and albedo encoder-decoders (official zdim 256; the confidence net uses half).</summary>
    public long Bottleneck { get; init; } = 256;

    /// <summary>
    /// Group norm after the first convolution of the depth, albedo and confidence encoders, as the official EDDeconv and
    /// ConfNet have it. Configs stored without this field (models trained before it existed, without that norm) read as false.
    /// </summary>
    public bool FirstEncoderNorm { get; init; } = true;

    public double MinDepth { get; init; } = 0.9;
    public double MaxDepth { get; init; } = 1.1;

    /// <summary>Depth of the two leftmost and rightmost columns (Unsup3d: 0.7·1.1 + 0.3·0.9 = 1.04).</summary>
    public double BorderDepth { get; init; } = 1.04;

    public double FieldOfView { get; init; } = 10;

    /// <summary>λ_flip: weight of the flipped reconstruction in both the pixel and the perceptual term.</summary>
    public double FlipWeight { get; init; } = 0.5;

    /// <summary>λ_perc: weight of the perceptual term (0 switches it off).</summary>
    public double PerceptualWeight { get; init; } = 1;

    /// <summary>Whether the confidence network weighs the losses (official default on); off gives plain L1 and squared VGG differences.</summary>
    public bool UseConfidence { get; init; } = true;

    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 5e-4;
    public int BatchSize { get; init; } = 64;

    /// <summary>The step a run ends at.</summary>
    public long Steps { get; init; } = 3000;

    /// <summary>Seed of initialisation and of every step's sampling.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The official sizes at 64 px.</summary>
    public static Unsup3dConfig Official { get; } = new();

    /// <summary>The renderer these settings describe (no transformation map; rotation centre at depth 1).</summary>
    public RendererOptions RendererOptions => new()
    {
        ImageSize = ImageSize, FieldOfViewDegrees = FieldOfView, MinDepth = MinDepth, MaxDepth = MaxDepth,
        RotationCenterDepth = 1.0, BorderDepth = BorderDepth,
    };

    /// <summary>A problem with the settings, named by parameter, or null when they can be used.</summary>
    public string? Problem()
    {
        if (ImageSize < 16 || (ImageSize & (ImageSize - 1)) != 0) return $"image size {ImageSize}: must be a power of two ≥ 16";
        if (Channels < 4 || Channels % 4 != 0) return $"channels {Channels}: must be a multiple of 4, at least 4 (group norm of 4-channel groups)";
        if (EncoderChannels < 1) return $"encoder channels {EncoderChannels}: must be at least 1";
        if (Bottleneck < 2 || Bottleneck % 2 != 0) return $"bottleneck {Bottleneck}: must be even and at least 2";
        if (!(MinDepth > 0 && MaxDepth > MinDepth)) return $"depth range {MinDepth}–{MaxDepth}: need 0 < min < max";
        if (!(FlipWeight >= 0) || !(PerceptualWeight >= 0)) return "loss weights must be finite and ≥ 0";
        if (!(LearningRate > 0) || !(WeightDecay >= 0)) return $"learning rate {LearningRate} must be > 0 and weight decay {WeightDecay} ≥ 0";
        if (BatchSize < 1) return $"batch size {BatchSize}: must be at least 1";
        if (Steps < 1) return $"steps {Steps}: must be at least 1";
        return null;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a stored config; <paramref name="source"/> names where it came from in the error.</summary>
    public static Unsup3dConfig FromJson(string json, string source)
    {
        try
        {
            var config = JsonSerializer.Deserialize<Unsup3dConfig>(json, Json) ?? throw new Unsup3dException(source, "empty config");
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(nameof(FirstEncoderNorm), out _) ? config : config with { FirstEncoderNorm = false };
        }
        catch (JsonException e) { throw new Unsup3dException(source, $"unreadable config ({e.Message})"); }
    }
}

/// <summary>An Unsup3d input, setting or file that cannot be used: names the file or parameter and the problem.</summary>
public sealed class Unsup3dException(string what, string problem) : LiftedGanException(what, problem);
