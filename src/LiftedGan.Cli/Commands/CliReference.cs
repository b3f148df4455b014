using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// docs/cli.md: the option vocabulary and every command's description, arguments and options, written from the
/// command tree itself (`liftedgan cli-doc`, hidden; scripts/cli-doc.sh), so the page cannot drift from `--help`.
/// </summary>
internal static class CliReference
{
    /// <summary>The repository file the page is kept in.</summary>
    public const string DocPath = "docs/cli.md";

    /// <summary>The hidden `cli-doc` command that writes the page.</summary>
    public static Command Create(Func<RootCommand> tree)
    {
        var output = new Option<string>("--out") { Description = "Markdown file to write.", DefaultValueFactory = _ => DocPath };
        var cmd = new Command("cli-doc", "Write the command-line reference (docs/cli.md) from the command tree.") { output };
        cmd.Hidden = true;
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string path = parse.GetValue(output)!;
            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(Markdown(tree())));
            stdout.WriteLine($"-> {path}");
            return 0;
        }, needsTorch: false));
        return cmd;
    }

    /// <summary>The whole page.</summary>
    public static string Markdown(RootCommand root)
    {
        var md = new StringBuilder();
        md.Append("# Command line\n\n")
          .Append("<!-- Written by scripts/cli-doc.sh from the command tree; a test fails when it is out of date. Do not edit by hand. -->\n\n")
          .Append("`scripts/install-tool.sh` installs `liftedgan` as a .NET tool on the PATH; without it, ")
          .Append("`dotnet run --project src/LiftedGan.Cli -c Release -- <command>` runs the same commands. ")
          .Append("`liftedgan <command> --help` prints what this page says about one command.\n\n");
        Vocabulary(md);
        md.Append("## Commands\n");
        foreach (var command in OptionVocabulary.Walk(root).Where(c => !IsHidden(c)))
            Command(md, command);
        return md.ToString();
    }

    static bool IsHidden(Command c) => c.Hidden || c.Parents.OfType<Command>().Any(IsHidden);

    static void Vocabulary(StringBuilder md)
    {
        md.Append("## Option names\n\n")
          .Append("One name per concept on every command: the same name always means the same thing, and a thing has one name.\n");
        foreach (var (group, terms) in OptionVocabulary.Groups)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n### {group}\n\n| option | means |\n|---|---|\n");
            foreach (var t in terms) md.Append(CultureInfo.InvariantCulture, $"| `{t.Name}` | {Cell(t.Meaning)} |\n");
        }
        md.Append("\n### Old names\n\n")
          .Append("These names were renamed for the vocabulary above. They still work on the commands listed, as hidden aliases, ")
          .Append("for this release; they are deprecated and will be removed.\n\n| old name | now | on |\n|---|---|---|\n");
        foreach (var t in OptionVocabulary.Groups.SelectMany(g => g.Terms))
            foreach (var old in t.Old)
                md.Append(CultureInfo.InvariantCulture, $"| `{old.Name}` | `{t.Name}` | {string.Join(", ", old.Commands.Select(c => $"`{c}`"))} |\n");
        md.Append('\n');
    }

    static void Command(StringBuilder md, Command command)
    {
        string path = OptionVocabulary.PathOf(command);
        string name = path.Length == 0 ? "liftedgan" : $"liftedgan {path}";
        md.Append(CultureInfo.InvariantCulture, $"\n### `{name}`\n\n{command.Description}\n\n");
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        string usage = name + string.Concat(arguments.Select(a => $" <{a.Name}>")) + (subcommands.Count > 0 ? " <command>" : "") + " [options]";
        md.Append(CultureInfo.InvariantCulture, $"Usage: `{usage}`\n");
        if (subcommands.Count > 0)
            md.Append(CultureInfo.InvariantCulture, $"\nCommands: {string.Join(", ", subcommands.Select(c => $"`{c.Name}`"))}.\n");
        foreach (var a in arguments) md.Append(CultureInfo.InvariantCulture, $"\n`<{a.Name}>`: {a.Description}\n");
        var options = command.Options.Where(o => !o.Hidden && o is not HelpOption and not VersionOption).ToList();
        if (options.Count == 0) return;
        md.Append(path.Length == 0 ? "\nOptions of every command:\n\n" : "\n")
          .Append("| option | value | default | description |\n|---|---|---|---|\n");
        foreach (var o in options)
            md.Append(CultureInfo.InvariantCulture, $"| `{o.Name}` | {Value(o)} | {Default(o)} | {Cell(o.Description ?? "")} |\n");
    }

    /// <summary>What an option takes: nothing for a switch, else the kind of value (several for a list).</summary>
    static string Value(Option o)
    {
        var type = Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType;
        if (type == typeof(bool)) return "switch";
        bool many = type.IsArray;
        var element = many ? type.GetElementType()! : type;
        string kind = element.IsEnum ? string.Join(" \\| ", Enum.GetNames(element).Select(n => n.ToLowerInvariant()))
            : element == typeof(string) ? "text"
            : element == typeof(double) || element == typeof(float) ? "number"
            : "integer";
        return many ? kind + " ..." : kind;
    }

    /// <summary>The default value as invariant text ("required" for a required option, empty for none).</summary>
    static string Default(Option o)
    {
        if (o.Required) return "required";
        if (!o.HasDefaultValue) return "";
        string text = o.GetDefaultValue() switch
        {
            null or false => "",
            System.Collections.IEnumerable list and not string => string.Join(' ', list.Cast<object>().Select(Text)),
            var v => Text(v),
        };
        return text.Length == 0 ? "" : $"`{text}`";

        static string Text(object v) => v switch
        {
            // Ten digits: the same page on every machine, whatever the last bit of a computed default.
            double d => d.ToString("G10", CultureInfo.InvariantCulture),
            float f => f.ToString("G7", CultureInfo.InvariantCulture),
            Enum e => e.ToString().ToLowerInvariant(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
    }

    /// <summary>Text safe inside a markdown table cell.</summary>
    static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
