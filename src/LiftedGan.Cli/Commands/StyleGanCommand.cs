using System.CommandLine;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan stylegan`: StyleGAN2 generation and training.</summary>
internal static class StyleGanCommand
{
    public static Command Create() => new("stylegan", "StyleGAN2: generate from an official checkpoint, or train one.")
    {
        StyleGanGenerateCommand.Create(),
        StyleGanTrainCommand.Create(),
    };
}
