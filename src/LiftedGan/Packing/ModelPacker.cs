using LiftedGan.Baselines.Gan2Shape;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.IO;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Packing;

/// <summary>
/// Turns training checkpoints into compact inference files that the ordinary loaders read: a StyleGAN2 checkpoint
/// keeps only <c>g_ema</c> and <c>args</c>; a LiftedGAN checkpoint keeps its four networks, <c>global_step</c> and
/// <c>epoch</c> (no optimiser state), with its config embedded (<see cref="LiftedCheckpoint.EmbeddedConfigKey"/>) and
/// written beside it as <see cref="LiftedCheckpoint.ConfigFileName"/>; an identity embedding keeps its network and
/// sizes, a pose-and-depth or expression estimator its network, sizes, step and options (no optimiser state); the training log json
/// of either is copied beside the packed file. An Unsup3d checkpoint keeps its networks, its config, the step, the
/// training seconds and the data description (no Adam state), and loads wherever the training checkpoint does; a GAN2Shape
/// joint pre-training keeps its five networks, config, stages done, training seconds and teacher (no styles, random state
/// or loss history: what a fit starting from it reads, not what a resume needs). With <c>half</c>, floating-point tensors are stored as float16
/// (loaders convert them back to float32); a tensor whose values do not fit float16 stays float32.
/// </summary>
public static class ModelPacker
{
    static readonly string[] LiftNetworks = { "netD", "netT", "netSD", "netSC", LiftedGenerator.ViewEncoderKey, LiftedGenerator.RollEncoderKey, LiftedGenerator.EditKey, LiftedGenerator.TranslationEditKey };
    static readonly string[] IdentitySizes = { "input_size", "width", "dimension", IdentityEmbeddingTraining.TrainedIdentitiesKey };
    static readonly string[] EstimatorValues = { "input_size", "width", "step", "options" };
    static readonly string[] Unsup3dNetworks = { "netD", "netA", "netL", "netV", "netC" };
    static readonly string[] Unsup3dValues =
        { Unsup3dCheckpoint.ConfigKey, "global_step", Unsup3dCheckpoint.TrainSecondsKey, "data" };
    static readonly string[] Gan2ShapeValues = { Gan2ShapeWeights.ConfigKey, Gan2ShapeJointTraining.StagesKey, Gan2ShapeJointTraining.SecondsKey, Gan2ShapeJointTraining.TeacherKey };
    const double HalfMax = 65504;

    /// <summary>
    /// A lift's readable config goes beside it under a fixed name, so two lifts packed into one folder would share it:
    /// refuses to overwrite a different config there unless it belongs to the lift file being replaced.
    /// </summary>
    static void CheckConfigSidecarIsFree(string sidecar, LiftingConfig config, string output)
    {
        if (!File.Exists(sidecar)) return;
        var present = LiftingConfig.FromJson(File.ReadAllText(sidecar), sidecar).ToJson();
        if (present == config.ToJson()) return;
        if (File.Exists(output))
        {
            var existing = TorchCheckpoint.Load(output);
            try
            {
                if (existing is PyDict d && LiftedCheckpoint.ReadEmbeddedConfig(d, output)?.ToJson() == present) return;
            }
            finally { TorchCheckpoint.DisposeTensors(existing); }
        }
        throw new ModelPackException(output, $"{sidecar} holds the config of another lift in that folder and would be overwritten; " +
                                             "pack this lift into a folder of its own (the packed file also carries its config inside)");
    }

    /// <summary>The kind of a loaded training checkpoint, by its top-level keys.</summary>
    public static PackedModelKind Detect(object? root, string path)
    {
        if (root is not PyDict d) throw new ModelPackException(path, "not a checkpoint dict (top level is not a dict)");
        if (d.ContainsKey("g_ema")) return PackedModelKind.StyleGan;
        // Before the lift: Unsup3d's depth network is also called netD.
        if (Unsup3dCheckpoint.Holds(d)) return PackedModelKind.Unsup3d;
        if (d.ContainsKey(Gan2ShapeWeights.ConfigKey)) return PackedModelKind.Gan2Shape;
        if (LiftNetworks.Any(d.ContainsKey)) return PackedModelKind.Lift;
        if (IdentityEmbeddingTraining.IsIdentityEmbedding(d)) return PackedModelKind.Identity;
        if (d.ContainsKey("pose_depth_estimator")) return PackedModelKind.Estimator;
        if (d.ContainsKey("expression_estimator")) return PackedModelKind.ExpressionEstimator;
        if (d.ContainsKey("control_generator")) return PackedModelKind.Control;
        throw new ModelPackException(path, "neither a StyleGAN2 (g_ema), a LiftedGAN (netD, netT, netSD, netSC), an Unsup3d, a GAN2Shape, an identity-embedding, an estimator nor a control checkpoint");
    }

    /// <summary>Packs <paramref name="input"/> into <paramref name="output"/> (written atomically; its folder is created).</summary>
    public static PackResult Pack(string input, string output, bool half, bool resumable = false)
    {
        if (!File.Exists(input)) throw new ModelPackException(input, "checkpoint not found");
        if (Path.GetFullPath(input) == Path.GetFullPath(output)) throw new ModelPackException(output, "the packed file must not replace its input");
        if (Directory.Exists(output)) throw new ModelPackException(output, "is a folder; give the packed file's path");
        var root = TorchCheckpoint.Load(input);
        var made = new List<Tensor>();
        try
        {
            var kind = Detect(root, input);
            var source = (PyDict)root!;
            var packed = new PyDict();
            string? sidecar = null;
            byte[]? sidecarBytes = null;
            switch (kind)
            {
                case PackedModelKind.StyleGan:
                    packed.Set("g_ema", Compact(StateDictAt(source, "g_ema", input), half, made, input));
                    if (source.TryGet("args", out var args)) packed.Set("args", args);
                    if (resumable)
                    {
                        // What a resume needs besides Adam's moments (they restart, documented): g, g_ema, args, the
                        // step and, for an adversarial run, the discriminator. A world-fit run never trains its
                        // discriminator (it stays as initialised from the run seed), so it is left out there.
                        if (args is not PyDict a) throw new ModelPackException(input, "a resumable pack needs the run's 'args' (its training options), and this checkpoint has none");
                        bool worldFit = a.TryGet("objective", out var objective) && objective is "world_fit";
                        packed.Set("g", Compact(StateDictAt(source, "g", input), half, made, input));
                        if (!worldFit) packed.Set("d", Compact(StateDictAt(source, "d", input), half, made, input));
                        if (source.TryGet("train_state", out var state)) packed.Set("train_state", state);
                    }
                    break;
                case PackedModelKind.Lift:
                    foreach (var key in LiftNetworks.Where(source.ContainsKey)) packed.Set(key, Compact(StateDictAt(source, key, input), half, made, input));
                    foreach (var key in new[] { "global_step", "epoch", Lifting.LiftingTrainer.TrainSecondsKey })
                        if (source.TryGet(key, out var v)) packed.Set(key, v);
                    if ((LiftedCheckpoint.ReadEmbeddedConfig(source, input) ?? LiftedCheckpoint.ReadConfigBeside(input)) is { } config)
                    {
                        packed.Set(LiftedCheckpoint.EmbeddedConfigKey, config.ToJson());
                        sidecar = Path.Combine(FolderOf(output), LiftedCheckpoint.ConfigFileName);
                        sidecarBytes = System.Text.Encoding.UTF8.GetBytes(config.ToJson());
                        CheckConfigSidecarIsFree(sidecar, config, output);
                    }
                    break;
                case PackedModelKind.Identity:
                    PackNetwork(source, packed, "identity_embedding", IdentitySizes, input, half, made);
                    (sidecar, sidecarBytes) = TrainingLog(input, output);
                    break;
                case PackedModelKind.Estimator:
                    PackNetwork(source, packed, "pose_depth_estimator", EstimatorValues, input, half, made);
                    (sidecar, sidecarBytes) = TrainingLog(input, output);
                    break;
                case PackedModelKind.Unsup3d:
                    foreach (var key in Unsup3dNetworks.Where(source.ContainsKey)) packed.Set(key, Compact(StateDictAt(source, key, input), half, made, input));
                    foreach (var key in Unsup3dValues)
                        if (source.TryGet(key, out var v)) packed.Set(key, v);
                    break;
                case PackedModelKind.Gan2Shape:
                    foreach (var key in Gan2ShapeWeights.NetworkKeys) packed.Set(key, Compact(StateDictAt(source, key, input), half, made, input));
                    foreach (var key in Gan2ShapeValues)
                        if (source.TryGet(key, out var v)) packed.Set(key, v);
                    break;
                case PackedModelKind.ExpressionEstimator:
                    PackNetwork(source, packed, "expression_estimator", EstimatorValues, input, half, made);
                    (sidecar, sidecarBytes) = TrainingLog(input, output);
                    break;
                case PackedModelKind.Control:
                    PackNetwork(source, packed, "control_generator", ["config", "step"], input, half, made);
                    break;
            }
            try { Directory.CreateDirectory(FolderOf(output)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ModelPackException(output, $"cannot create its folder ({e.Message})"); }
            TorchCheckpoint.Save(output, packed);
            if (sidecar is not null) AtomicFile.WriteAllBytes(sidecar, sidecarBytes!);
            var tensors = ValueGraph.Tensors(packed);
            return new PackResult(kind, output, new FileInfo(input).Length, new FileInfo(output).Length, tensors.Count,
                tensors.Count(t => t.dtype == ScalarType.Float16), sidecar);
        }
        finally
        {
            foreach (var t in made) t.Dispose();
            TorchCheckpoint.DisposeTensors(root);
        }
    }

    /// <summary>Copies the state dict under <paramref name="network"/> (compacted) and the listed plain values.</summary>
    static void PackNetwork(PyDict source, PyDict packed, string network, string[] values, string input, bool half, List<Tensor> made)
    {
        packed.Set(network, Compact(StateDictAt(source, network, input), half, made, input));
        foreach (var key in values)
            if (source.TryGet(key, out var v)) packed.Set(key, v);
    }

    /// <summary>The training log json beside the input, to be copied beside the output (none if absent or the same file).</summary>
    static (string?, byte[]?) TrainingLog(string input, string output)
    {
        string log = Path.ChangeExtension(input, ".json"), target = Path.ChangeExtension(output, ".json");
        return File.Exists(log) && Path.GetFullPath(log) != Path.GetFullPath(target) ? (target, File.ReadAllBytes(log)) : (null, null);
    }

    static string FolderOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    static PyDict StateDictAt(PyDict root, string key, string path) =>
        root.TryGet(key, out var v) && v is PyDict d ? d : throw new ModelPackException(path, $"'{key}' is not a state dict");

    /// <summary>The state dict's tensors (nested dicts kept), float tensors as float16 when asked and when they fit.</summary>
    static PyDict Compact(PyDict stateDict, bool half, List<Tensor> made, string path = "", int depth = 0)
    {
        if (depth > MaxNesting) throw new ModelPackException(path, $"state dicts nested deeper than {MaxNesting}");
        var result = new PyDict { IsOrdered = true };
        foreach (var (key, value) in stateDict)
        {
            if (value is Tensor big && half && big.numel() > MaxHalfElements)
                throw new ModelPackException(path, $"tensor '{CheckpointSummary.KeyText(key)}' has {big.numel()} elements (a view larger than the " +
                                                   $"{MaxHalfElements} a float16 copy may have)");
            result.Set(key, value switch
            {
                Tensor t when half && FitsHalf(t) => Keep(t.to(ScalarType.Float16), made),
                PyDict nested => Compact(nested, half, made, path, depth + 1),
                _ => value,
            });
        }
        return result;
    }

    const int MaxNesting = 64;
    const long MaxHalfElements = 1L << 31;

    static Tensor Keep(Tensor t, List<Tensor> made)
    {
        made.Add(t);
        return t;
    }

    static bool FitsHalf(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 && t.dtype != ScalarType.Float64) return false;
        if (t.numel() == 0) return true;
        using var abs = t.abs();
        using var max = abs.max();
        double m = max.to_type(ScalarType.Float64).item<double>();
        return double.IsFinite(m) && m <= HalfMax;
    }
}
