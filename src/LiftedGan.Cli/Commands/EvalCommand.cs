using System.CommandLine;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval`: evaluation commands.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate generators: 3D accuracy, pose and identity.");
        foreach (var c in EvalCommands3d.Create()) eval.Subcommands.Add(c);
        return eval;
    }
}
