using System.CommandLine;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench`: the group of speed measurements.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the speed of parts of the toolkit.")
    {
        BenchStyleGanCommand.Create(),
        BenchSynthCommand.Create(),
    };
}
