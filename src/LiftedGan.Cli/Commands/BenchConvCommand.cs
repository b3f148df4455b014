using System.CommandLine;
using System.Globalization;
using LiftedGan.Lifting;
using LiftedGan.Torch;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench conv`: the convolution numerics guard's cost, every policy side by side in one run.</summary>
internal static class BenchConvCommand
{
    public static Command Create()
    {
        var rounds = new Option<int>("--repeats") { Description = "Timed rounds per policy (median).", DefaultValueFactory = _ => 5 };
        var cmd = new Command("conv", "Time convolution layers, VGG16, the embedded-size teacher and a synth_64 lift step under " +
                                      "the guard policies on (unguarded oneDNN), off (native) and guarded (the default on affected CPUs).") { rounds };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine($"bench conv: {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} logical CPUs, " +
                             $"{DateTime.UtcNow:yyyy-MM-dd}; self-test:");
            foreach (var line in ConvGuard.Report) stdout.WriteLine($"  {line}");
            var rows = ConvGuardBenchmark.Run(BenchLiftCommand.SynthTeacher, parse.GetValue(rounds));
            stdout.WriteLine($"{"workload (batch 8)",-34} {"on ms",9} {"off ms",9} {"guard ms",9} {"off/on",8} {"guard/on",8}");
            foreach (var r in rows)
                stdout.WriteLine(string.Create(inv,
                    $"{r.Workload,-34} {r.Milliseconds[ConvPolicy.On],9:F1} {r.Milliseconds[ConvPolicy.Off],9:F1} {r.Milliseconds[ConvPolicy.Guarded],9:F1} " +
                    $"{r.Ratio(ConvPolicy.Off),8:F2} {r.Ratio(ConvPolicy.Guarded),8:F2}"));
            stdout.WriteLine("on = oneDNN unguarded (wrong numbers on affected CPUs; speed reference only); off = native convolutions " +
                             "(process-wide); guarded = oneDNN only outside the defect classes, each signature proven once (what auto chooses " +
                             "when the self-test fails).");
            stdout.WriteLine("routes chosen under guarded:");
            foreach (var (sig, route) in ConvGuard.ChosenRoutes.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal))
                stdout.WriteLine($"  {sig}: {route}" + (ConvGuard.FallbackReasons.TryGetValue(sig, out var why) ? $" (probe of {why})" : ""));
            return 0;
        }));
        return cmd;
    }
}
