namespace LiftedGan.StyleGan2;

/// <summary>
/// Recovers a <see cref="GeneratorConfig"/> from the key names and tensor shapes of an official generator state dict,
/// for checkpoints that store only g_ema without args: resolution from the ToRGB count, style size and mapping depth
/// from `style.N.weight`, channels from `input.input` and the upsampling convolutions.
/// </summary>
public static class GeneratorConfigInference
{
    /// <summary>Infers the architecture; <paramref name="source"/> names the file in errors.</summary>
    public static GeneratorConfig Infer(IReadOnlyDictionary<string, long[]> shapes, string source, double lrMlp = 0.01)
    {
        long[] Need(string key) => shapes.TryGetValue(key, out var s)
            ? s : throw new StyleGanException($"{source}: not a StyleGAN2 generator state dict (no '{key}'; file keys: " +
                $"{string.Join(", ", shapes.Keys.Take(12))}{(shapes.Count > 12 ? $", ... ({shapes.Count} in all)" : "")})");

        int mapping = 0;
        while (shapes.ContainsKey($"style.{mapping + 1}.weight")) mapping++;
        if (mapping == 0) Need("style.1.weight");
        int styleDim = (int)Need("style.1.weight")[1];

        int rgbCount = 0;
        while (shapes.ContainsKey($"to_rgbs.{rgbCount}.conv.weight")) rgbCount++;
        int size = 4 << rgbCount;
        if (rgbCount < 1 || size > 1024) throw new StyleGanException($"{source}: {rgbCount} ToRGB layers; expected 1..8 (8..1024 px)");

        var channels = new Dictionary<int, int> { [4] = (int)Need("input.input")[1] };
        for (int j = 0; j < rgbCount; j++)
            channels[8 << j] = (int)Need($"convs.{2 * j}.conv.weight")[1];

        var config = new GeneratorConfig { Size = size, StyleDim = styleDim, MappingLayers = mapping, LrMlp = lrMlp, Channels = channels };
        config.Validate();
        return config;
    }
}
