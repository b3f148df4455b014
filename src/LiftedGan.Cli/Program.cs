using System.CommandLine;
using LiftedGan.Cli.Commands;
using LiftedGan.Torch;

namespace LiftedGan.Cli;

/// <summary>The `liftedgan` command line: a thin layer that parses arguments and calls the library.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Restart once with glibc's huge-page tunable (LIFTEDGAN_HUGEPAGES=0 switches this off): see HugePages.
        HugePages.Reexecute();
        return Run(args);
    }

    /// <summary>Runs the CLI in-process (tests call this); returns the exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var root = BuildRoot();
        var config = new InvocationConfiguration { Output = stdout ?? Console.Out, Error = stderr ?? Console.Error };
        return root.Parse(args).Invoke(config);
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("LiftedGan.NET: lift a 2D StyleGAN2 into a 3D-aware face generator.");
        root.Options.Add(GlobalOptions.Device);
        root.Options.Add(GlobalOptions.Threads);
        root.Options.Add(GlobalOptions.NoVerify);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(StyleGanCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(LiftCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(IdentityCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(RotateCommand.Create());
        root.Subcommands.Add(RelightCommand.Create());
        root.Subcommands.Add(InterpolateCommand.Create());
        root.Subcommands.Add(SideViewCommand.Create());
        root.Subcommands.Add(ExportMeshCommand.Create());
        root.Subcommands.Add(LiftPhotoCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(PackCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ViewCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(ControlCommand.Create());
        root.Subcommands.Add(Unsup3dCommand.Create());
        root.Subcommands.Add(Gan2ShapeCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(CliReference.Create(BuildRoot));
        OptionVocabulary.AddOldNames(root);
        CurrentNamesHelp.Install(root);
        return root;
    }
}
