using System.CommandLine;
using System.Globalization;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// Validation of numeric option values before use: a value out of range is an <see cref="ArgumentException"/> whose
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
        if (v < min || v > max) throw new ArgumentException($"{option.Name} {Text(v)}: must be between {Text(min)} and {Text(max)}");
        return v;
    }

    /// <summary>A long option's value, which must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static long Long(ParseResult parse, Option<long> option, long min, long max)
    {
        long v = parse.GetValue(option);
        if (v < min || v > max) throw new ArgumentException($"{option.Name} {Text(v)}: must be between {Text(min)} and {Text(max)}");
        return v;
    }

    /// <summary>A real value that must be finite and in [<paramref name="min"/>, <paramref name="max"/>] (open at an end when asked).</summary>
    public static double Real(string name, double v, double min, double max, bool minOpen = false)
    {
        bool ok = double.IsFinite(v) && (minOpen ? v > min : v >= min) && v <= max;
        if (!ok) throw new ArgumentException($"{name} {Text(v)}: must be a finite number in {(minOpen ? "(" : "[")}{Text(min)}, {Text(max)}]");
        return v;
    }

    /// <summary>A number as invariant, printable text (NaN and infinities by name).</summary>
    public static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An integer as invariant text.</summary>
    public static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}
