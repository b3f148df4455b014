using LiftedGan.Data;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Unsup3d;

/// <summary>
/// A StyleGAN2 teacher's samples as the exact-truth protocol draws them: z ~ N(0, I) from the given generator, w = the
/// mapping of z (truncation 1), the synthesis with the checkpoint's stored noise (as the lift renders its teacher),
/// clamped to [−1, 1]. What Unsup3d "trained on StyleGAN2 samples" sees.
/// </summary>
public sealed class TeacherImageSource(StyleGenerator teacher, string description) : IImageSource, IDisposable
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

    public string Describe() => description;

    public int? Resolution => Teacher.Config.Size;

    public long? Available => null;

    public bool IsRandom => true;

    public Tensor Next(int n, Generator g)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = Teacher.Map(randn([n, Teacher.Config.StyleDim], generator: g));
        var image = Teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image;
        return image.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    public void Dispose() => Teacher.Dispose();
}
