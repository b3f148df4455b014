using Spectre.Console;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// Progress of a long run: a live Spectre.Console bar (with rate, ETA and the caller's description) on an interactive
/// terminal; plain lines, about every 5 %, when the output is redirected or captured (logs, tests — and live bars may
/// not run concurrently in one process). The live bar is redrawn on the training thread (no auto-refresh thread): a second
/// thread that allocates can trigger a GC whose finalizers free a TorchSharp Scalar still in use by a native call
/// (docs/numerics.md, "TorchSharp finalizer race").
/// </summary>
internal static class TrainingProgress
{
    /// <summary>Runs <paramref name="body"/>, which reports (value, description) through the callback it is given.</summary>
    public static void Run(TextWriter output, string name, long max, long start, Action<Action<long, string>> body)
    {
        bool live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (live)
        {
            AnsiConsole.Progress()
                .AutoRefresh(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(name, maxValue: Math.Max(1, max));
                    task.Value = start;
                    var lastDraw = System.Diagnostics.Stopwatch.StartNew();
                    body((value, description) =>
                    {
                        task.Value = value;
                        task.Description = description;
                        if (lastDraw.ElapsedMilliseconds < 200 && value != max) return;
                        ctx.Refresh();
                        lastDraw.Restart();
                    });
                });
            return;
        }
        long every = Math.Max(1, max / 20);
        body((value, description) => { if (value % every == 0 || value == max) output.WriteLine(description); });
    }
}
