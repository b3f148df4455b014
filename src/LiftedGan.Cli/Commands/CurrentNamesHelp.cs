using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `--help` that lists each option under its current name only: the old names of <see cref="OptionVocabulary"/> stay
/// accepted but are taken off the options while the help is written (System.CommandLine prints every alias).
/// </summary>
internal sealed class CurrentNamesHelp(HelpAction inner) : SynchronousCommandLineAction
{
    /// <summary>Puts this help on the root's help option.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction action) help.Action = new CurrentNamesHelp(action);
    }

    public override int Invoke(ParseResult parse)
    {
        var hidden = new List<(Option Option, string Alias)>();
        foreach (var option in OptionVocabulary.OptionsOf(parse.CommandResult.Command))
            foreach (var alias in option.Aliases.ToList())
                if (OptionVocabulary.Terms.ContainsKey(option.Name) && option.Aliases.Remove(alias)) hidden.Add((option, alias));
        try { return inner.Invoke(parse); }
        finally { foreach (var (option, alias) in hidden) option.Aliases.Add(alias); }
    }
}
