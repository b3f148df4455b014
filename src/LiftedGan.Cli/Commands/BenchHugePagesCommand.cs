using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LiftedGan.Torch;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan bench hugepages`: the same workloads run as child processes of this CLI with and without glibc's
/// huge-page tunable, interleaved (off, on, off, on, ...), so the printed ratios come from one run on one machine.
/// </summary>
internal static class BenchHugePagesCommand
{
    /// <summary>A named workload: the CLI arguments a child process runs.</summary>
    sealed record Workload(string Name, string[] Arguments);

    static readonly Workload[] All =
    [
        new("bench lift synth_64", ["bench", "lift", "--only", "synth_64", "--steps", "3", "--repeats", "1"]),
        new("bench lift ffhq_256", ["bench", "lift", "--only", "ffhq_256", "--steps", "1", "--repeats", "1"]),
        new("bench lift cats_256", ["bench", "lift", "--only", "cats_256", "--steps", "1", "--repeats", "1"]),
        new("bench stylegan", ["bench", "stylegan"]),
        new("bench train", ["bench", "train", "--steps", "4"]),
        new("bench conv", ["bench", "conv", "--repeats", "1"]),
        new("demo", ["demo", "--out", "{tmp}"]),
    ];

    public static Command Create()
    {
        var only = new Option<string[]>("--only")
        {
            Description = "Workloads to run (default all): " + string.Join(", ", All.Select(w => $"'{w.Name}'")),
            AllowMultipleArgumentsPerToken = true,
        };
        var rounds = new Option<int>("--repeats") { Description = "Interleaved off/on pairs per workload (median wall time).", DefaultValueFactory = _ => 2 };
        var cmd = new Command("hugepages",
            "Time whole workloads (lift steps, StyleGAN2, convolutions, the demo) in child processes with huge pages off and on, interleaved; prints wall times and ratios.")
        { only, rounds };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var inv = CultureInfo.InvariantCulture;
            var names = parse.GetValue(only) ?? [];
            if (names.FirstOrDefault(n => All.All(w => w.Name != n)) is { } unknown)
                throw new UsageException($"--only '{unknown}': expected some of {string.Join(", ", All.Select(w => $"'{w.Name}'"))}");
            var workloads = names.Length == 0 ? All : All.Where(w => names.Contains(w.Name)).ToArray();
            int n = parse.GetValue(rounds);
            if (n < 1) throw new UsageException($"--repeats {n}: must be at least 1");
            int threads = parse.GetValue(GlobalOptions.Threads);
            stdout.WriteLine($"bench hugepages: kernel THP mode '{HugePages.KernelMode ?? "unknown"}', {Environment.ProcessorCount} logical CPUs, child --threads {threads}");
            stdout.WriteLine($"{"workload",-22} {"off (s)",9} {"on (s)",9} {"off/on",7}");
            foreach (var w in workloads)
            {
                var off = new List<double>();
                var on = new List<double>();
                for (int r = 0; r < n; r++)
                {
                    off.Add(RunChild(w, huge: false, threads));
                    on.Add(RunChild(w, huge: true, threads));
                }
                double a = Median(off), b = Median(on);
                stdout.WriteLine(string.Create(inv, $"{w.Name,-22} {a,9:F1} {b,9:F1} {a / b,6:F2}x"));
            }
            return 0;
        }));
        return cmd;
    }

    static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Runs one child of this CLI; returns its wall time in seconds, or throws with its output's tail on failure.</summary>
    static double RunChild(Workload w, bool huge, int threads)
    {
        var tmp = Directory.CreateTempSubdirectory("liftedgan-hugepages-");
        try
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            // Under `dotnet liftedgan.dll` the host needs the assembly; the apphost does not.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet") == "dotnet")
                psi.ArgumentList.Add(typeof(Program).Assembly.Location);
            psi.ArgumentList.Add("--threads");
            psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
            foreach (var a in w.Arguments) psi.ArgumentList.Add(a.Replace("{tmp}", tmp.FullName));
            var tunables = string.Join(':', (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "")
                .Split(':', StringSplitOptions.RemoveEmptyEntries).Where(t => !t.StartsWith("glibc.malloc.hugetlb=", StringComparison.Ordinal)));
            if (huge) tunables = tunables.Length == 0 ? HugePages.Tunable : tunables + ":" + HugePages.Tunable;
            psi.Environment["GLIBC_TUNABLES"] = tunables;
            psi.Environment[HugePages.SwitchVariable] = "0"; // the child keeps exactly the environment given here
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child process");
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderrTask = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            double seconds = sw.Elapsed.TotalSeconds;
            if (p.ExitCode != 0)
            {
                var text = (stdoutTask.Result + stderrTask.Result).Trim();
                throw new InvalidOperationException($"'{w.Name}' (huge pages {(huge ? "on" : "off")}) exited with {p.ExitCode}: {text[Math.Max(0, text.Length - 400)..]}");
            }
            return seconds;
        }
        finally { tmp.Delete(recursive: true); }
    }
}
