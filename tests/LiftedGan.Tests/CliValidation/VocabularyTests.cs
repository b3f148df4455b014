using System.CommandLine;
using System.CommandLine.Help;
using LiftedGan.Cli;
using LiftedGan.Cli.Commands;
using Xunit;

namespace LiftedGan.Tests.CliValidation;

/// <summary>Every option of every command is named by <see cref="OptionVocabulary"/>: one name per concept, old names as hidden aliases.</summary>
public class VocabularyTests
{
    /// <summary>Every (command path, option) of the tree, help and version left out.</summary>
    static List<(string Path, Command Command, Option Option)> AllOptions()
    {
        var root = Program.BuildRoot();
        return OptionVocabulary.Walk(root)
            .SelectMany(c => c.Options.Where(o => o is not HelpOption and not VersionOption).Select(o => (OptionVocabulary.PathOf(c), c, o)))
            .ToList();
    }

    static bool Renamed(string oldName, string path) =>
        OptionVocabulary.Terms.Values.Any(t => t.Old.Any(o => o.Name == oldName && o.Commands.Contains(path)));

    [Fact]
    public void EveryOptionIsNamedByTheVocabulary()
    {
        var unknown = AllOptions().Where(x => !OptionVocabulary.Terms.ContainsKey(x.Option.Name)).Select(x => $"{x.Path}: {x.Option.Name}").ToList();
        Assert.True(unknown.Count == 0, "options not in OptionVocabulary (use the vocabulary's name for the concept, or add a term): " + string.Join(", ", unknown));
    }

    [Fact]
    public void NoCommandSpellsAConceptByItsOldName()
    {
        var old = AllOptions().Where(x => Renamed(x.Option.Name, x.Path)).Select(x => $"{x.Path}: {x.Option.Name}").ToList();
        Assert.True(old.Count == 0, "options named by a replaced name: " + string.Join(", ", old));
    }

    [Fact]
    public void AliasesAreExactlyTheOldNamesOfTheCommandsThatUsedThem()
    {
        var options = AllOptions();
        foreach (var (path, _, option) in options)
        {
            var term = OptionVocabulary.Terms[option.Name];
            var expected = term.Old.Where(o => o.Commands.Contains(path)).Select(o => o.Name).Order().ToList();
            Assert.True(expected.SequenceEqual(option.Aliases.Order()), $"{path} {option.Name}: aliases [{string.Join(", ", option.Aliases)}], expected [{string.Join(", ", expected)}]");
        }
        // Every old name is declared for a command that has the term's option (no stale entries).
        foreach (var term in OptionVocabulary.Terms.Values)
            foreach (var old in term.Old)
                foreach (var path in old.Commands)
                    Assert.True(options.Any(x => x.Path == path && x.Option.Name == term.Name), $"{old.Name} -> {term.Name}: `{path}` has no {term.Name}");
    }

    [Fact]
    public void NoNameMeansTwoOptionsOnOneCommand()
    {
        foreach (var command in OptionVocabulary.Walk(Program.BuildRoot()))
        {
            var tokens = OptionVocabulary.OptionsOf(command).SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();
            var twice = tokens.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"`{OptionVocabulary.PathOf(command)}` accepts {string.Join(", ", twice)} for two options");
        }
    }

    [Fact]
    public void EveryTermIsUsedAndNamedOnce()
    {
        var used = AllOptions().Select(x => x.Option.Name).ToHashSet();
        var terms = OptionVocabulary.Groups.SelectMany(g => g.Terms).ToList();
        Assert.Equal(terms.Count, terms.Select(t => t.Name).Distinct().Count());
        Assert.Empty(terms.Where(t => !used.Contains(t.Name)).Select(t => t.Name));
        Assert.All(terms, t => Assert.Matches("^--[a-z0-9]+(-[a-z0-9]+)*$", t.Name));
    }

    [Fact]
    public void OldNamesStillParseAsTheNewOption()
    {
        foreach (var term in OptionVocabulary.Terms.Values)
            foreach (var old in term.Old)
                foreach (var path in old.Commands)
                {
                    var root = Program.BuildRoot();
                    var command = OptionVocabulary.Walk(root).Single(c => OptionVocabulary.PathOf(c) == path);
                    var option = command.Options.Single(o => o.Name == term.Name);
                    var args = path.Split(' ').Append(old.Name).Concat(option.ValueType == typeof(bool) ? [] : new[] { "1" }).ToArray();
                    var parse = root.Parse(args);
                    Assert.True(parse.GetResult(option) is { Implicit: false }, $"`{string.Join(' ', args)}` does not set {term.Name}");
                    Assert.Empty(parse.UnmatchedTokens);
                }
    }

    [Fact]
    public void HelpListsCurrentNamesOnly()
    {
        var (code, output, _) = Help("eval", "report", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--ckpt", output);
        Assert.Contains("--n-fid", output);
        Assert.DoesNotContain("--lift ", output);
        Assert.DoesNotContain("--fid-n", output);
        (_, output, _) = Help("stylegan", "train", "--help");
        Assert.Contains("--steps", output);
        Assert.DoesNotContain("--iter", output);
        // The old name still works after help was written (the aliases come back).
        Assert.Contains("--steps 0: must be between 1 and 1000000000", CliRunner.OneThread("stylegan", "train", "--iter", "0", "--out", Path.GetTempPath()).Err);
    }

    static (int Code, string Out, string Err) Help(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void AliasesComeBackAfterHelp()
    {
        var root = Program.BuildRoot();
        var train = OptionVocabulary.Walk(root).Single(c => OptionVocabulary.PathOf(c) == "stylegan train");
        var steps = train.Options.Single(o => o.Name == "--steps");
        root.Parse(["stylegan", "train", "--help"]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
        Assert.Equal(["--iter"], steps.Aliases);
    }
}
