using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// Validation of numeric option values before use: a value out of range is a <see cref="UsageException"/> whose
/// one-line message names the option, the value (as invariant text) and the accepted range; nothing is clamped.
/// </summary>
internal static class CliValues
{
    /// <summary>Most random samples a sampling command makes in one run.</summary>
    public const int MaxSamples = 65536;

    /// <summary>An integer option's value, which must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int Int(ParseResult parse, Option<int> option, int min, int max)
    {
        int v = parse.GetValue(option);
        if (v < min || v > max) throw new UsageException($"{option.Name} {Text(v)}: must be between {Text(min)} and {Text(max)}");
        return v;
    }

    /// <summary>A long option's value, which must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static long Long(ParseResult parse, Option<long> option, long min, long max)
    {
        long v = parse.GetValue(option);
        if (v < min || v > max) throw new UsageException($"{option.Name} {Text(v)}: must be between {Text(min)} and {Text(max)}");
        return v;
    }

    /// <summary>A real value that must be finite and in [<paramref name="min"/>, <paramref name="max"/>] (open at an end when asked).</summary>
    public static double Real(string name, double v, double min, double max, bool minOpen = false)
    {
        bool ok = double.IsFinite(v) && (minOpen ? v > min : v >= min) && v <= max;
        if (!ok) throw new UsageException($"{name} {Text(v)}: must be a finite number in {(minOpen ? "(" : "[")}{Text(min)}, {Text(max)}]");
        return v;
    }

    /// <summary>
    /// The checks every command gets: each real option given (on the command or a parent) must be finite, and each
    /// integer option given, seeds excepted, must be 0 or more (all of them are counts, sizes or steps). Commands add
    /// their own ranges on top.
    /// </summary>
    public static void CheckAll(ParseResult parse)
    {
        for (CommandResult? r = parse.CommandResult; r != null; r = r.Parent as CommandResult)
            foreach (var o in r.Children.OfType<OptionResult>())
            {
                if (o.Implicit) continue;
                string name = o.Option.Name;
                double? real = o.Option switch
                {
                    Option<double> => o.GetValueOrDefault<double>(),
                    Option<double?> => o.GetValueOrDefault<double?>(),
                    Option<float> => o.GetValueOrDefault<float>(),
                    Option<float?> => o.GetValueOrDefault<float?>(),
                    _ => null,
                };
                if (real is { } x && !double.IsFinite(x)) throw new UsageException($"{name} {Text(x)}: must be a finite number");
                if (name.Contains("seed", StringComparison.Ordinal)) continue;
                long? whole = o.Option switch
                {
                    Option<int> => o.GetValueOrDefault<int>(),
                    Option<int?> => o.GetValueOrDefault<int?>(),
                    Option<long> => o.GetValueOrDefault<long>(),
                    Option<long?> => o.GetValueOrDefault<long?>(),
                    _ => null,
                };
                if (whole is { } w && w < 0) throw new UsageException($"{name} {Text(w)}: must be 0 or more");
                if (whole is { } v && Cap(name) is { } cap && v > cap)
                    throw new UsageException($"{name} {Text(v)}: must be at most {Text(cap)}");
            }
    }

    /// <summary>
    /// Upper bounds of the count-like options every command shares by name (sizes that are allocated at once: a batch,
    /// a set held in memory, a network width); step counts are unbounded (they only take time).
    /// </summary>
    static long? Cap(string name) => name switch
    {
        "--batch" or "--views" or "--per-identity" or "--ds-per-group" or "--width" => 4096,
        "--identities" or "--held-out" or "--n-rec" or "--n-table2" or "--n-truth" or "--ds-groups" or "--ds-reference"
            or "--n-identity" or "--n-fid" or "--grids" => 1_000_000,
        _ => null,
    };

    /// <summary>A number as invariant, printable text (NaN and infinities by name).</summary>
    public static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An integer as invariant text.</summary>
    public static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The command line as a user would type it (for logs and reports): "liftedgan", the command path, then every
    /// option and argument token, quoted when it holds a space.
    /// </summary>
    public static string CommandLine(ParseResult parse)
    {
        var path = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is CommandResult c && c.Parent is not null; r = c.Parent) path.Insert(0, c.Command.Name);
        var rest = parse.Tokens.Where(t => t.Type != TokenType.Command).Select(t => t.Value.Contains(' ') ? $"'{t.Value}'" : t.Value);
        return string.Join(' ', new[] { "liftedgan" }.Concat(path).Concat(rest));
    }
}
