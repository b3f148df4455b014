using System.Globalization;

namespace LiftedGan.Training;

/// <summary>
/// How a model names its numbered checkpoints inside a run folder: FOLDER/PREFIX + number (at least
/// <paramref name="Digits"/> digits) + EXTENSION; <paramref name="Keep"/> &gt; 0 keeps only that many of the newest.
/// </summary>
public sealed record CheckpointNaming(string Folder, string Prefix, int Digits, string Extension, int Keep = 0);

/// <summary>
/// A training run on disk: one folder with numbered checkpoints (written atomically by the model's writer, then
/// rotated), beside which a model keeps its samples, TensorBoard scalars and CSV logs. The newest checkpoint by
/// number is where a run resumes.
/// </summary>
public sealed class RunFolder(string dir, CheckpointNaming naming)
{
    public string Dir { get; } = dir;
    public CheckpointNaming Naming { get; } = naming;

    string CheckpointDir => Naming.Folder.Length == 0 ? Dir : Path.Combine(Dir, Naming.Folder);

    /// <summary>The path of checkpoint <paramref name="number"/>.</summary>
    public string CheckpointPath(long number) =>
        Path.Combine(CheckpointDir, Naming.Prefix + number.ToString("D" + Naming.Digits, CultureInfo.InvariantCulture) + Naming.Extension);

    /// <summary>The checkpoints in the folder, oldest first by number.</summary>
    public IReadOnlyList<string> Checkpoints()
    {
        if (!Directory.Exists(CheckpointDir)) return [];
        return Directory.GetFiles(CheckpointDir, Naming.Prefix + "*" + Naming.Extension)
            .Select(f => (File: f, Number: NumberOf(Path.GetFileName(f))))
            .Where(x => x.Number is not null).OrderBy(x => x.Number).Select(x => x.File).ToList();
    }

    /// <summary>The newest checkpoint by number, or null.</summary>
    public string? LatestCheckpoint() => Checkpoints().LastOrDefault();

    /// <summary>
    /// Writes checkpoint <paramref name="number"/> by <paramref name="write"/> (which must write atomically), then
    /// removes the oldest beyond <see cref="CheckpointNaming.Keep"/>; returns its path.
    /// </summary>
    public string SaveCheckpoint(long number, Action<string> write)
    {
        var path = CheckpointPath(number);
        Directory.CreateDirectory(CheckpointDir);
        write(path);
        if (Naming.Keep > 0)
        {
            var all = Checkpoints();
            foreach (var old in all.Take(Math.Max(0, all.Count - Naming.Keep))) File.Delete(old);
        }
        return path;
    }

    /// <summary>Creates the folder and checks that a file can be written in it.</summary>
    /// <exception cref="RunSetupException">The folder is a file or is not writable.</exception>
    public void EnsureWritable()
    {
        try
        {
            if (File.Exists(Dir)) throw new IOException("is a file, not a folder");
            Directory.CreateDirectory(Dir);
            string probe = Path.Combine(Dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunSetupException(Dir, $"run folder is not writable ({e.Message})");
        }
    }

    long? NumberOf(string name)
    {
        if (!name.StartsWith(Naming.Prefix, StringComparison.Ordinal) || !name.EndsWith(Naming.Extension, StringComparison.Ordinal)) return null;
        var digits = name[Naming.Prefix.Length..^Naming.Extension.Length];
        return digits.Length > 0 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
