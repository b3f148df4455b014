using System.CommandLine;
using LiftedGan.Torch;

namespace LiftedGan.Cli.Commands;

/// <summary>Options every command accepts, and the one place that turns library errors into one clear line.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Device = new("--device")
    {
        Description = "Compute device: cpu or cuda[:N] with a CUDA build of TorchSharp (default: $LIFTEDGAN_DEVICE, else cpu).",
        Recursive = true,
    };

    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "Intra-op CPU threads (0 = libtorch default).",
        DefaultValueFactory = _ => 0,
        Recursive = true,
    };

    public static readonly Option<bool> NoVerify = new("--no-verify")
    {
        Description = "Skip the CRC-32 check of zip checkpoint entries (faster loads; corrupt tensor bytes go unnoticed). Same as LIFTEDGAN_VERIFY_CRC=0.",
        Recursive = true,
    };

    /// <summary>
    /// Runs a command body: initialises torch from the global options, and reports expected failures (the library's
    /// <see cref="LiftedGanException"/> family, a bad command line, files the system cannot read or write) as a single
    /// `liftedgan: error: ...` line with exit code 1 instead of a stack trace. Any other exception is a bug: it is
    /// reported with its stack trace and a request to report it, exit code <see cref="BugExitCode"/>.
    /// </summary>
    public static int Execute(ParseResult parse, Func<TextWriter, int> body, bool needsTorch = true)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            if (parse.GetValue(Threads) < 0) throw new UsageException($"--threads {parse.GetValue(Threads)}: must be 0 or more");
            CliValues.CheckAll(parse);
            var limits = FromUser(LiftedGan.Checkpoints.CheckpointLimits.FromEnvironment);
            LiftedGan.Checkpoints.TorchCheckpoint.Limits = parse.GetValue(NoVerify) ? limits with { VerifyCrc = false } : limits;
            string device = parse.GetValue(Device) ?? Environment.GetEnvironmentVariable("LIFTEDGAN_DEVICE") ?? "cpu";
            if (needsTorch) FromUser(() => TorchRuntime.Initialize(device, parse.GetValue(Threads)));
            return body(output);
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"liftedgan: error: {OneLine(InFlags(e, parse.CommandResult.Command))}");
            return 1;
        }
        catch (OutOfMemoryException e)
        {
            error.WriteLine($"liftedgan: error: not enough memory for the sizes asked for ({OneLine(e.Message)})");
            return 1;
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (e.Source == "TorchSharp" || e.StackTrace?.Contains("TorchSharp.torch.CheckForErrors") == true)
        {
            // A libtorch error (e.g. an allocation a huge value asked for): its first line, not libtorch's frame dump.
            error.WriteLine($"liftedgan: error: libtorch: {OneLine(e.Message.Split('\n')[0])}" +
                            (Environment.GetEnvironmentVariable("LIFTEDGAN_TRACE") == "1" ? "" : " (LIFTEDGAN_TRACE=1 prints the stack trace)"));
            if (Environment.GetEnvironmentVariable("LIFTEDGAN_TRACE") == "1") error.WriteLine(e);
            return 1;
        }
        catch (Exception e)
        {
            error.WriteLine($"liftedgan: internal error: {OneLine(e.Message)}");
            error.WriteLine("This is a bug in liftedgan, not a problem with your input; please report it with the command line and the trace below.");
            error.WriteLine(e);
            return BugExitCode;
        }
    }

    /// <summary>Exit code of a bug (an exception that is not a user error): 70, EX_SOFTWARE of sysexits.h.</summary>
    public const int BugExitCode = 70;

    /// <summary>Reads settings the user gave (environment variables, --device): an argument the library rejects is a user error.</summary>
    static T FromUser<T>(Func<T> read)
    {
        try { return read(); }
        catch (ArgumentException e) { throw new UsageException(e.Message, e); }
    }

    static void FromUser(Action apply) => FromUser(() => { apply(); return 0; });

    /// <summary>A message as one printable line: line breaks become " / ", other control characters \xNN, at most 2000 characters.</summary>
    internal static string OneLine(string message)
    {
        var sb = new System.Text.StringBuilder(Math.Min(message.Length, 2000));
        foreach (var line in message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (sb.Length > 0) sb.Append(" / ");
            foreach (char c in line) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
            if (sb.Length > 2000) { sb.Length = 2000; sb.Append("..."); break; }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The message of an error, with the library parameter it names said as the command's flag ("count: 0: ..." is
    /// "--n: 0: ..."; see <see cref="OptionVocabulary.FlagFor"/>).
    /// </summary>
    static string InFlags(Exception e, Command command) =>
        e is LiftedGanException { Subject: { } subject } typed && OptionVocabulary.FlagFor(subject, command) is { } flag ? $"{flag}: {typed.Problem}" : e.Message;

    /// <summary>The library's typed errors, a bad command line, and files or paths the system refuses.</summary>
    static bool IsUserError(Exception e) =>
        e is LiftedGanException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException or NotSupportedException;
}
