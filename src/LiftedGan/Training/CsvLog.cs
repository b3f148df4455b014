using System.Globalization;
using System.Text;
using LiftedGan.IO;

namespace LiftedGan.Training;

/// <summary>
/// A CSV log of named scalars, one row a step (<c>step,NAME,...</c>, values in invariant G6). Appending: each row goes
/// to the file at once. Checkpointed: rows are written, atomically, together with each checkpoint, and a resumed run
/// keeps only the rows up to the step it resumed at, so the log always matches the checkpoint.
/// </summary>
public sealed class CsvLog
{
    readonly string _path;
    readonly List<string>? _rows;
    string? _header;
    string[]? _columns;

    CsvLog(string path, List<string>? rows) => (_path, _rows) = (path, rows);

    /// <summary>A log whose rows are appended to <paramref name="path"/> as they come (the header first, when the file is new).</summary>
    public static CsvLog Appending(string path) => new(path, null);

    /// <summary>A log rewritten at every <see cref="Flush"/>; of an existing file, the rows up to <paramref name="resumedAt"/> are kept.</summary>
    public static CsvLog Checkpointed(string path, long resumedAt)
    {
        var rows = File.Exists(path) && resumedAt > 0
            ? File.ReadLines(path).Skip(1).Where(l => long.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out var s) && s <= resumedAt).ToList()
            : new List<string>();
        var log = new CsvLog(path, rows);
        if (rows.Count > 0 && File.ReadLines(path).FirstOrDefault() is { } header)
            (log._header, log._columns) = (header, header.Split(','));
        return log;
    }

    public string Path => _path;

    /// <summary>
    /// Adds the row of step <paramref name="step"/>. Columns are set by the first row (or by the kept rows of a resumed
    /// log; for an appending log whose file already exists with other columns, e.g. a run resumed by a version that logs
    /// more, the file is rewritten once with the union of both, older rows leaving the new columns empty); a later row
    /// fills the columns by name, and a name that appears later (a loss switched on at some step) is appended as a new
    /// column, the rows before it left empty.
    /// </summary>
    public void Add(long step, IReadOnlyDictionary<string, double> values)
    {
        var inv = CultureInfo.InvariantCulture;
        if (_header is null)
        {
            var columns = new[] { "step" }.Concat(values.Keys).ToArray();
            if (_rows is null && File.Exists(_path) && File.ReadLines(_path).FirstOrDefault() is { } existing && existing != string.Join(",", columns))
            {
                var old = existing.Split(',');
                columns = old.Concat(columns.Where(c => !old.Contains(c))).ToArray();
                var rewritten = new List<string> { string.Join(",", columns) };
                foreach (var line in File.ReadLines(_path).Skip(1))
                {
                    var cells = line.Split(',');
                    rewritten.Add(string.Join(",", columns.Select(c => Array.IndexOf(old, c) is var k && k >= 0 && k < cells.Length ? cells[k] : "")));
                }
                AtomicFile.WriteAllBytes(_path, Encoding.UTF8.GetBytes(string.Join("\n", rewritten) + "\n"));
            }
            _columns = columns;
            _header = string.Join(",", columns);
        }
        else if (values.Keys.Where(k => !_columns!.Contains(k)).ToArray() is { Length: > 0 } added)
            AddColumns(added);
        var row = string.Join(",", _columns!.Select(c => c == "step" ? step.ToString(inv)
            : values.TryGetValue(c, out var v) ? v.ToString("G6", inv) : ""));
        if (_rows is not null) { _rows.Add(row); return; }
        var lines = new List<string>();
        if (!File.Exists(_path)) lines.Add(_header);
        lines.Add(row);
        File.AppendAllLines(_path, lines);
    }

    /// <summary>Appends columns that appear after the first row (e.g. a loss switched on later); earlier rows leave them empty.</summary>
    void AddColumns(string[] added)
    {
        _columns = _columns!.Concat(added).ToArray();
        _header = string.Join(",", _columns);
        string pad = new(',', added.Length);
        if (_rows is not null)
        {
            for (int i = 0; i < _rows.Count; i++) _rows[i] += pad;
            return;
        }
        if (!File.Exists(_path)) return;
        var lines = File.ReadLines(_path).Skip(1).Select(line => line + pad).Prepend(_header).ToList();
        AtomicFile.WriteAllBytes(_path, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
    }

    /// <summary>Writes a checkpointed log atomically (nothing to do for an appending one).</summary>
    public void Flush()
    {
        if (_rows is null || _header is null) return;
        AtomicFile.WriteAllBytes(_path, Encoding.UTF8.GetBytes(_header + "\n" + string.Join("\n", _rows) + "\n"));
    }
}
