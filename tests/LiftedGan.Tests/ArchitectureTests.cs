using System.Text.RegularExpressions;
using Xunit;

namespace LiftedGan.Tests;

/// <summary>docs/architecture.md's table of which folder may use which holds for every file of src/LiftedGan.</summary>
public partial class ArchitectureTests
{
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?LiftedGan\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"(?<![\w.])LiftedGan\.(\w+)\.")]
    private static partial Regex QualifiedName();

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LiftedGan.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("LiftedGan.slnx not found above the test binary");
    }

    /// <summary>The rows of the "| folder | may use |" table.</summary>
    static Dictionary<string, HashSet<string>> AllowedFromDocs(string root)
    {
        var lines = File.ReadAllLines(Path.Combine(root, "docs", "architecture.md"));
        int header = Array.FindIndex(lines, l => l.Replace(" ", "") == "|folder|mayuse|");
        Assert.True(header >= 0, "docs/architecture.md has no '| folder | may use |' table");
        var allowed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|');
            var targets = cells[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            allowed[cells[1].Trim()] = targets.ToHashSet(StringComparer.Ordinal);
        }
        return allowed;
    }

    /// <summary>Each folder of src/LiftedGan and the library folders its files name.</summary>
    static Dictionary<string, Dictionary<string, string>> Uses(string root, IReadOnlySet<string> folders)
    {
        var src = Path.Combine(root, "src", "LiftedGan");
        var uses = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2 || relative[0] is "bin" or "obj") continue;
            var used = uses.TryGetValue(relative[0], out var u) ? u : uses[relative[0]] = new(StringComparer.Ordinal);
            string text = File.ReadAllText(file);
            foreach (var m in UsingLine().Matches(text).Concat(QualifiedName().Matches(text)))
            {
                string target = m.Groups[1].Value;
                if (target != relative[0] && folders.Contains(target)) used.TryAdd(target, Path.GetRelativePath(root, file));
            }
        }
        return uses;
    }

    [Fact]
    public void NoFolderUsesOneTheArchitectureTableForbids()
    {
        string root = RepositoryRoot();
        var allowed = AllowedFromDocs(root);
        var src = Path.Combine(root, "src", "LiftedGan");
        var folders = Directory.GetDirectories(src).Select(d => Path.GetFileName(d))
            .Where(d => d is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(src, d), "*.cs", SearchOption.AllDirectories).Any())
            .ToHashSet(StringComparer.Ordinal);
        Assert.Empty(folders.Except(allowed.Keys).Order());
        Assert.Empty(allowed.Keys.Except(folders).Order());
        var forbidden = Uses(root, folders)
            .SelectMany(kv => kv.Value.Where(t => !allowed[kv.Key].Contains(t.Key)).Select(t => $"{kv.Key} -> {t.Key} ({t.Value})"))
            .Order().ToList();
        Assert.Empty(forbidden);
    }

    [Fact]
    public void TheArchitectureTableHasNoCycles()
    {
        var allowed = AllowedFromDocs(RepositoryRoot());
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        string? Visit(string folder, string path)
        {
            if (state.GetValueOrDefault(folder) == 1) return path + " -> " + folder;
            if (state.GetValueOrDefault(folder) == 2) return null;
            state[folder] = 1;
            foreach (var next in allowed.GetValueOrDefault(folder) ?? [])
                if (Visit(next, path + " -> " + folder) is { } cycle) return cycle;
            state[folder] = 2;
            return null;
        }
        foreach (var folder in allowed.Keys)
            Assert.Null(Visit(folder, "start"));
        Assert.All(allowed.Values.SelectMany(v => v), target => Assert.Contains(target, allowed.Keys));
    }
}
