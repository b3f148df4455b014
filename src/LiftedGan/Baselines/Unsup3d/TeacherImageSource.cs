using LiftedGan.Data;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// A StyleGAN2 teacher's samples as the exact-truth protocol draws them: z ~ N(0, I) from the given generator, w = the
/// mapping of z (truncation 1), the synthesis with the checkpoint's stored noise (as the lift renders its teacher),
/// clamped to [−1, 1]. What Unsup3d "trained on StyleGAN2 samples" sees.
/// </summary>
public sealed class TeacherImageSource(StyleGenerator teacher, string description) : GeneratedImageSource, IDisposable
{
    /// <summary>Loads the teacher (g_ema) of a StyleGAN2 checkpoint.</summary>
    public static TeacherImageSource Load(string checkpoint)
    {
        if (!File.Exists(checkpoint)) throw new Unsup3dException(checkpoint, "StyleGAN2 checkpoint not found");
        var teacher = StyleGanCheckpoint.LoadGenerator(checkpoint);
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        return new TeacherImageSource(teacher, $"teacher:{Path.GetFullPath(checkpoint)} (psi 1, stored noise)");
    }

    public StyleGenerator Teacher { get; } = teacher;

    public override string Describe() => description;

    public override int? Resolution => Teacher.Config.Size;

    protected override Tensor Draw(int n, Generator g)
    {
        var w = Teacher.Map(randn([n, Teacher.Config.StyleDim], generator: g));
        return Teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1);
    }

    public void Dispose() => Teacher.Dispose();
}
