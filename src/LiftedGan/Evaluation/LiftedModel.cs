using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;

namespace LiftedGan.Evaluation;

/// <summary>Loads a trained lifted generator for evaluation (networks in eval mode).</summary>
public static class LiftedModel
{
    /// <summary>
    /// The teacher from <paramref name="styleGanPath"/> and the lifted networks from <paramref name="checkpointPath"/>,
    /// with the config stored beside the checkpoint or else preset <paramref name="preset"/>.
    /// </summary>
    public static LiftedGenerator Load(string checkpointPath, string styleGanPath, string preset = "synth_64")
    {
        if (!File.Exists(checkpointPath)) throw new EvaluationException(checkpointPath, "LiftedGAN checkpoint not found");
        if (!File.Exists(styleGanPath)) throw new EvaluationException(styleGanPath, "StyleGAN2 checkpoint not found");
        var config = LiftedCheckpoint.ReadConfigBeside(checkpointPath) ?? LiftingConfig.FromPreset(preset);
        var teacher = StyleGanCheckpoint.LoadGenerator(styleGanPath);
        config = config.ForTeacher(teacher.Config.StyleDim);
        var model = new LiftedGenerator(teacher, config);
        TorchCheckpoint.DisposeTensors(LiftedCheckpoint.LoadNetworks(model, checkpointPath));
        foreach (var (_, module) in model.Networks) module.eval();
        teacher.eval();
        return model;
    }
}
