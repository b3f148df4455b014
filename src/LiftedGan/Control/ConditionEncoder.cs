using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>
/// Tax-free's encoder E (§4.7): maps the representation rep(p) of a code (B × 9 × S × S: the face model's shaded render,
/// albedo and normal map) to one feature map per synthesis layer, at that layer's resolution and width. One stage per
/// resolution from S down to 4: a 3 × 3 stem, then a residual block of two 3 × 3 convolutions (leaky ReLU 0.2 between,
/// last one zero-initialised, no normalisation) and average-pool downsampling; a 1 × 1 toFeat head per synthesis layer
/// (two per resolution, one at 4 × 4). Simplified from the paper's 1-3-1 bottleneck blocks and equalised learning rate.
/// </summary>
public sealed class ConditionEncoder : nn.Module
{
    /// <summary>Channels of rep(p): render (3), albedo (3), normals (3).</summary>
    public const int InputChannels = 9;

    readonly GuardedConv2d stem;
    readonly ModuleList<GuardedConv2d> first;
    readonly ModuleList<GuardedConv2d> second;
    readonly ModuleList<GuardedConv2d> heads;
    readonly int[] layerStage;

    /// <summary>An encoder for a synthesis network of <paramref name="config"/> (layer l has resolution <see cref="NoiseBuffers.Resolution"/>(l)).</summary>
    public ConditionEncoder(GeneratorConfig config, int width) : base(nameof(ConditionEncoder))
    {
        int stages = config.SizeLog2 - 1; // S, S/2, ..., 4
        stem = new GuardedConv2d(InputChannels, width, 3, padding: 1);
        first = new ModuleList<GuardedConv2d>();
        second = new ModuleList<GuardedConv2d>();
        for (int s = 0; s < stages; s++)
        {
            first.Add(new GuardedConv2d(width, width, 3, padding: 1));
            var last = new GuardedConv2d(width, width, 3, padding: 1);
            using (no_grad()) { last.weight!.zero_(); last.bias?.zero_(); }
            second.Add(last);
        }
        heads = new ModuleList<GuardedConv2d>();
        layerStage = new int[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            long resolution = NoiseBuffers.Resolution(l);
            layerStage[l] = config.SizeLog2 - (int)Math.Round(Math.Log2(resolution));
            heads.Add(new GuardedConv2d(width, config.ChannelsAt((int)resolution), 1));
        }
        RegisterComponents();
    }

    /// <summary>One feature map per synthesis layer (B × C_l × R_l × R_l) from rep(p) B × 9 × S × S.</summary>
    public Tensor[] Encode(Tensor representation)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.leaky_relu(stem.forward(representation), 0.2);
        var perStage = new List<Tensor>();
        for (int s = 0; s < first.Count; s++)
        {
            if (s > 0) x = nn.functional.avg_pool2d(x, 2);
            x = x + second[s].forward(nn.functional.leaky_relu(first[s].forward(x), 0.2));
            perStage.Add(x);
        }
        var features = new Tensor[heads.Count];
        for (int l = 0; l < heads.Count; l++)
        {
            var f = heads[l].forward(perStage[layerStage[l]]);
            features[l] = (l == 0 ? f : nn.functional.leaky_relu(f, 0.2)).MoveToOuterDisposeScope();
        }
        return features;
    }
}
