using System.CommandLine;
using LiftedGan.Torch;

namespace LiftedGan.Cli.Commands;

/// <summary>Options every command accepts, and the one place that turns library errors into one clear line.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Device = new("--device")
    {
        Description = "Compute device: cpu (default) or cuda[:N] with a CUDA build of TorchSharp.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LIFTEDGAN_DEVICE") ?? "cpu",
        Recursive = true,
    };

    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "Intra-op CPU threads (0 = libtorch default).",
        DefaultValueFactory = _ => 0,
        Recursive = true,
    };

    /// <summary>
    /// Runs a command body: initialises torch from the global options, and reports expected failures (bad files,
    /// bad values) as a single `liftedgan: error: ...` line with exit code 1 instead of a stack trace.
    /// </summary>
    public static int Execute(ParseResult parse, Func<TextWriter, int> body, bool needsTorch = true)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            if (parse.GetValue(Threads) < 0) throw new ArgumentException($"--threads {parse.GetValue(Threads)}: must be 0 or more");
            if (needsTorch) TorchRuntime.Initialize(parse.GetValue(Device) ?? "cpu", parse.GetValue(Threads));
            return body(output);
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"liftedgan: error: {e.Message}");
            return 1;
        }
    }

    static bool IsUserError(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException
            or FormatException or TorchLoadException or NotSupportedException
        || e.GetType().Namespace?.StartsWith("LiftedGan", StringComparison.Ordinal) == true;
}
