using System.CommandLine;
using System.Globalization;
using LiftedGan.Packing;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan pack CKPT --out FILE [--fp16]`: a training checkpoint (StyleGAN2, LiftedGAN, Unsup3d, identity embedding, estimator) as a compact inference file.</summary>
internal static class PackCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("checkpoint") { Description = "A StyleGAN2 training checkpoint, a LiftedGAN checkpoint_NNN.pth, an Unsup3d checkpoint, a GAN2Shape joint pre-training, an identity embedding, a pose-and-depth estimator, an expression estimator or a control generator (control train; its generator only) (kind taken from its keys)." };
        var output = new Option<string>("--out") { Description = "The packed file to write.", Required = true };
        var half = new Option<bool>("--fp16") { Description = "Store floating-point tensors as float16 (loaders convert back to float32)." };
        var resumable = new Option<bool>("--resumable")
        {
            Description = "StyleGAN2 runs: also keep g, the discriminator (adversarial runs) and the step, so that `stylegan train --resume FILE` " +
                          "continues the run (Adam's moments restart; a world-fit run's never-trained discriminator is re-created from the seed; " +
                          "with --fp16 the weights resume from their float16 rounding).",
        };
        var cmd = new Command("pack", "Turn a training checkpoint into a compact inference file (networks only; g_ema for StyleGAN2; optional float16).") { input, output, half, resumable };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var r = ModelPacker.Pack(parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(half), parse.GetValue(resumable));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"packed {r.Kind}: {r.InputBytes / 1e6:F2} MB -> {r.OutputBytes / 1e6:F2} MB ({r.Ratio:F1}x smaller), {r.Tensors} tensors, {r.HalfTensors} as float16 -> {r.OutputPath}"));
            if (r.SidecarPath is not null) stdout.WriteLine($"wrote {r.SidecarPath}");
            else if (r.Kind == PackedModelKind.Lift)
                stdout.WriteLine($"warning: {parse.GetValue(input)}: no config embedded and no {LiftedGan.Lifting.LiftedCheckpoint.ConfigFileName} beside it; loaders will assume the preset for its image size (pack from the run folder to keep the run's config)");
            return 0;
        }));
        return cmd;
    }
}
