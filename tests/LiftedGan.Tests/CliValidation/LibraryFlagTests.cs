using System.CommandLine;
using System.Text.RegularExpressions;
using LiftedGan.Cli;
using LiftedGan.Cli.Commands;
using LiftedGan.Packing;
using Xunit;

namespace LiftedGan.Tests.CliValidation;

/// <summary>The library names parameters and files, never flags; the CLI says a parameter as the running command's flag.</summary>
public partial class LibraryFlagTests
{
    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")]
    private static partial Regex FlagLike();

    [Fact]
    public void NoLibraryFileMentionsAFlag()
    {
        var names = OptionVocabulary.Terms.Values.SelectMany(t => t.Old.Select(o => o.Name).Prepend(t.Name)).ToHashSet();
        string src = Path.Combine(Shared.RepoRoot, "src", "LiftedGan");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in FlagLike().Matches(lines[i]))
                    if (names.Contains(m.Value)) found.Add($"{relative}:{i + 1}: {m.Value}");
        }
        Assert.True(found.Count == 0, "the library names command-line flags (name the parameter; the CLI maps it): " + string.Join("; ", found));
    }

    [Fact]
    public void AParameterIsSaidAsTheFlagOfTheRunningCommand()
    {
        var root = Program.BuildRoot();
        Command At(string path) => OptionVocabulary.Walk(root).Single(c => OptionVocabulary.PathOf(c) == path);
        Assert.Equal("--frames", OptionVocabulary.FlagFor("steps", At("interpolate")));
        Assert.Equal("--steps", OptionVocabulary.FlagFor("steps", At("eval train-estimator")));
        Assert.Equal("--steps", OptionVocabulary.FlagFor("lift steps", At("demo")));
        Assert.Equal("--batch", OptionVocabulary.FlagFor("batch size", At("synth")));
        Assert.Equal("--n", OptionVocabulary.FlagFor("count", At("generate")));
        Assert.Equal("--ds-groups", OptionVocabulary.FlagFor("groups", At("eval ds")));
        // Two terms answer for "steps" and the command has neither: the library's words stay.
        Assert.Null(OptionVocabulary.FlagFor("steps", At("info")));
        Assert.Null(OptionVocabulary.FlagFor("no such parameter", At("info")));
    }

    [Fact]
    public void MissingShippedModelsAreToldInFlagsAndCommands()
    {
        var root = Directory.CreateTempSubdirectory("liftedgan-models-hint").FullName;
        try
        {
            var (code, _, err) = CliRunner.OneThread("demo", "--models", Path.Combine(root, "none"), "--out", Path.Combine(root, "out"));
            Assert.Equal(1, code);
            Assert.Contains("models folder not found", err);
            Assert.Contains("Pass --models DIR or set LIFTEDGAN_MODELS", err);
            (code, _, err) = CliRunner.OneThread("demo", "--models", root, "--out", Path.Combine(root, "out"));
            Assert.Equal(1, code);
            Assert.Single(err.TrimEnd('\n').Split('\n'));
            Assert.Contains($"liftedgan pack sg64/checkpoint/NNNNNN.pt --fp16 --out {Path.Combine(root, ShippedModels.StyleGanFile)}", err);
            File.WriteAllBytes(Path.Combine(root, ShippedModels.StyleGanFile), new byte[1]);
            (_, _, err) = CliRunner.OneThread("demo", "--models", root, "--out", Path.Combine(root, "out"));
            Assert.Contains($"liftedgan lift --stylegan {Path.Combine(root, ShippedModels.StyleGanFile)} --preset synth_64", err);
        }
        finally { Directory.Delete(root, true); }
    }
}
