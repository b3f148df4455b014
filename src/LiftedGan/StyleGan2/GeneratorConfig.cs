namespace LiftedGan.StyleGan2;

/// <summary>
/// Architecture of a StyleGAN2 generator: output resolution (a power of two, 8..1024), style size, mapping depth, the
/// mapping learning-rate multiplier, the FIR taps and the channel count per resolution (4..size).
/// </summary>
public sealed record GeneratorConfig
{
    public int Size { get; init; } = 256;
    public int StyleDim { get; init; } = 512;
    public int MappingLayers { get; init; } = 8;
    public double LrMlp { get; init; } = 0.01;
    public IReadOnlyList<float> BlurKernel { get; init; } = [1, 3, 3, 1];
    public IReadOnlyDictionary<int, int> Channels { get; init; } = PaperChannels;

    /// <summary>The reduced table LiftedGAN's generator uses (4:512 … 256:16).</summary>
    public static IReadOnlyDictionary<int, int> PaperChannels { get; } = new Dictionary<int, int>
    {
        [4] = 512, [8] = 512, [16] = 256, [32] = 128, [64] = 64, [128] = 32, [256] = 16,
    };

    /// <summary>LiftedGAN's 256 px generator: style 512, 8 mapping layers, the reduced channel table.</summary>
    public static GeneratorConfig Paper { get; } = new();

    /// <summary>Rosinality's default table: 512 up to 32 px, then 256·m, 128·m, 64·m, 32·m, 16·m.</summary>
    public static IReadOnlyDictionary<int, int> OfficialChannels(int channelMultiplier) => new Dictionary<int, int>
    {
        [4] = 512, [8] = 512, [16] = 512, [32] = 512, [64] = 256 * channelMultiplier, [128] = 128 * channelMultiplier,
        [256] = 64 * channelMultiplier, [512] = 32 * channelMultiplier, [1024] = 16 * channelMultiplier,
    };

    /// <summary>log2 of the resolution.</summary>
    public int SizeLog2 => (int)Math.Round(Math.Log2(Size));

    /// <summary>Number of styled convolutions (= noise maps).</summary>
    public int NumLayers => (SizeLog2 - 2) * 2 + 1;

    /// <summary>Number of per-layer latent slots in W+.</summary>
    public int NumLatents => SizeLog2 * 2 - 2;

    /// <summary>Channels at <paramref name="resolution"/>.</summary>
    public int ChannelsAt(int resolution) => Channels.TryGetValue(resolution, out var c)
        ? c : throw new StyleGanException($"channel table: no entry for resolution {resolution}");

    /// <summary>Throws <see cref="StyleGanException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Size < 8 || Size > 1024 || (Size & (Size - 1)) != 0)
            throw new StyleGanException($"size {Size}: must be a power of two between 8 and 1024");
        if (StyleDim < 1) throw new StyleGanException($"style dim {StyleDim}: must be positive");
        if (MappingLayers < 1) throw new StyleGanException($"mapping layers {MappingLayers}: must be at least 1");
        if (BlurKernel.Count < 2) throw new StyleGanException("blur kernel: needs at least 2 taps");
        for (int r = 4; r <= Size; r *= 2)
            if (ChannelsAt(r) < 1) throw new StyleGanException($"channel table: resolution {r} has {ChannelsAt(r)} channels");
    }
}
