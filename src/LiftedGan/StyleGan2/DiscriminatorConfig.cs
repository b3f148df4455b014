namespace LiftedGan.StyleGan2;

/// <summary>Architecture of the StyleGAN2 discriminator: input resolution, channels per resolution, FIR taps.</summary>
public sealed record DiscriminatorConfig
{
    public int Size { get; init; } = 256;
    public IReadOnlyDictionary<int, int> Channels { get; init; } = GeneratorConfig.OfficialChannels(2);
    public IReadOnlyList<float> BlurKernel { get; init; } = [1, 3, 3, 1];

    /// <summary>Channels at <paramref name="resolution"/>.</summary>
    public int ChannelsAt(int resolution) => Channels.TryGetValue(resolution, out var c)
        ? c : throw new StyleGanException($"discriminator channel table: no entry for resolution {resolution}");
}
