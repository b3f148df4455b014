using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>
/// The mirror term's view and light (<see cref="Perturbation.MirrorView"/>, <see cref="Perturbation.MirrorLight"/>):
/// a left-right symmetric surface rendered at the mirrored view and light is the mirror image of its render.
/// </summary>
public class MirrorTests
{
    [Fact]
    public void SymmetricFaceAtTheMirroredViewAndLightIsTheMirrorImage()
    {
        using var teacher = SupervisedTruthTests.WorldTeacher();
        using var model = new LiftedGenerator(teacher, SupervisedTruthTests.Config);
        int s = model.Config.ImageSize;
        using var _ = no_grad();
        // Symmetric about the centre column: functions of |x − (S − 1)/2| and y only.
        var coords = arange(s, dtype: float32);
        var x = (coords - (s - 1) / 2.0).abs().view(1, 1, s).expand(2, s, s);
        var y = (coords - (s - 1) / 2.0).view(1, s, 1).expand(2, s, s);
        var depth = 1.0 - 0.06 * (-(x.square() + y.square()) / 120.0).exp() - 0.02 * (-(x.square() + (y - 6).square()) / 8.0).exp();
        var albedo = stack(new[] { (x / 20).cos(), (y / 15).sin(), (x * y / 300).cos() }, 1) * 0.6;
        var view = tensor(new float[] { 8f / 60, 20f / 60, 4f / 60, 0.2f, -0.1f, 0.05f, -5f / 60, -15f / 60, -3f / 60, -0.3f, 0.1f, 0 }, [2, 6]);
        var light = tensor(new float[] { -0.2f, 0.3f, 0.6f, -0.2f, 0.1f, 0.5f, -0.4f, 0.3f }, [2, 4]);
        using var plain = model.Render(depth, albedo, light, view, null);
        using var mirrored = model.Render(depth, albedo, Perturbation.MirrorLight(light), Perturbation.MirrorView(view), null);
        var a = plain.Render.Image.flip(3);
        var b = mirrored.Render.Image;
        var differentFromUnmirrored = (plain.Render.Image - b).abs().mean().item<float>();
        var mirrorError = (a - b).abs().mean().item<float>();
        Assert.True(differentFromUnmirrored > 0.02, $"the test needs a view whose render is not symmetric ({differentFromUnmirrored:F4})");
        Assert.True(mirrorError < 0.05 * differentFromUnmirrored, $"mirror of the render vs render at the mirrored view: {mirrorError:F5} (unmirrored {differentFromUnmirrored:F4})");
    }
}
