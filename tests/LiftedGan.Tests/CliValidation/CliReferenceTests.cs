using LiftedGan.Cli;
using LiftedGan.Cli.Commands;
using Xunit;

namespace LiftedGan.Tests.CliValidation;

/// <summary>docs/cli.md is what the command tree writes today (scripts/cli-doc.sh rewrites it).</summary>
public class CliReferenceTests
{
    [Fact]
    public void DocsCliMdIsUpToDate()
    {
        string expected = CliReference.Markdown(Program.BuildRoot());
        string path = Path.Combine(Shared.RepoRoot, CliReference.DocPath);
        Assert.True(File.Exists(path), $"{CliReference.DocPath} is missing: run scripts/cli-doc.sh");
        Assert.True(expected == File.ReadAllText(path).ReplaceLineEndings("\n"), $"{CliReference.DocPath} is out of date: run scripts/cli-doc.sh and commit it");
    }

    [Fact]
    public void EveryVisibleCommandAndOptionIsOnThePage()
    {
        var root = Program.BuildRoot();
        string page = CliReference.Markdown(root);
        foreach (var command in OptionVocabulary.Walk(root).Skip(1).Where(c => !c.Hidden))
        {
            Assert.Contains($"### `liftedgan {OptionVocabulary.PathOf(command)}`", page);
            foreach (var option in command.Options) Assert.Contains($"| `{option.Name}` |", page);
        }
        Assert.DoesNotContain("`liftedgan cli-doc`", page);
        Assert.Contains("| `--iter` | `--steps` | `stylegan train` |", page);
    }
}
