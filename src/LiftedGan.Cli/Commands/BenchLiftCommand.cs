using System.CommandLine;
using System.Globalization;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench lift`: a LiftedGAN step split into every part (time, share, convolution FLOPs, share of the matmul peak).</summary>
internal static class BenchLiftCommand
{
    public static Command Create()
    {
        var only = new Option<string?>("--only") { Description = "One preset: synth_64, ffhq_256 or cats_256 (default all three)." };
        var steps = new Option<int>("--steps") { Description = "Timed training steps (median).", DefaultValueFactory = _ => 3 };
        var repeats = new Option<int>("--repeats") { Description = "Timed calls per component (median).", DefaultValueFactory = _ => 3 };
        var leak = new Option<int>("--leak-steps")
        {
            Description = "Instead of the timing: run this many training steps (random weights) and print the resident memory every " +
                          "--leak-every steps and its growth per 1,000 steps over the second half (the leak test; e.g. 1000).",
        };
        var leakEvery = new Option<int>("--leak-every") { Description = "Steps between memory samples of --leak-steps.", DefaultValueFactory = _ => 50 };
        var bf16 = new Option<bool>("--bf16")
        {
            Description = "Also time the perceptual network in bfloat16 beside float32 (image and target side) and print how far its " +
                          "features, loss and gradient are from float32's (the bf16 trial; training stays float32).",
        };
        var set = new Option<string[]>("--set") { Description = "Override a setting of the timed presets as `lift --set` does, e.g. --set perceptual_depth=2.", AllowMultipleArgumentsPerToken = false };
        var batch = new Option<int?>("--batch")
        {
            Description = "Batch size of every timed preset (default the preset's, 8). The leak test's growth is per step, so a smaller batch " +
                          "runs it sooner at the same networks and resolution; timings and peak memory are only comparable at equal batch.",
        };
        var cmd = new Command("lift", "Time a LiftedGAN training step (batch 8) and its parts at synth_64, ffhq_256 and cats_256.") { only, steps, repeats, leak, leakEvery, bf16, set, batch };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var inv = CultureInfo.InvariantCulture;
            var presets = new List<(LiftingConfig Preset, GeneratorConfig Teacher, bool Embedding)>
            {
                (LiftingConfig.Synth64, SynthTeacher, false),
                (LiftingConfig.Ffhq256, GeneratorConfig.Paper, true),
                (LiftingConfig.Cats256, GeneratorConfig.Paper, false),
            };
            presets = presets.Select(p => (LiftCommand.ApplyAll(p.Preset, parse.GetValue(set)), p.Teacher, p.Embedding)).ToList();
            if (parse.GetValue(batch) is int b)
            {
                if (b < 1) throw new UsageException($"--batch {b}: must be at least 1");
                presets = presets.Select(p => (p.Preset with { BatchSize = b }, p.Teacher, p.Embedding)).ToList();
            }
            if (parse.GetValue(only) is { } name)
            {
                presets = presets.Where(p => p.Preset.Preset == name).ToList();
                if (presets.Count == 0) throw new UsageException($"--only {name}: expected synth_64, ffhq_256 or cats_256");
            }
            stdout.WriteLine($"bench lift: {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} logical CPUs");
            if (parse.GetValue(leak) is int leakSteps and > 0)
            {
                int every = parse.GetValue(leakEvery);
                if (every < 1 || leakSteps < 2 * every) throw new UsageException($"--leak-steps {leakSteps} --leak-every {every}: needs at least two samples");
                foreach (var (preset, teacher, embedding) in presets)
                {
                    stdout.WriteLine($"{preset.Preset}: leak test, {leakSteps} steps of batch {preset.BatchSize}, resident memory every {every}");
                    var r = LiftingBenchmark.Leak(preset, teacher, leakSteps, every, embedding,
                        (step, bytes) => stdout.WriteLine(string.Create(inv, $"  step {step,6}  {bytes / 1e6,9:F1} MB")));
                    stdout.WriteLine(string.Create(inv,
                        $"  {r.Preset}: {r.SecondsPerStep:F2} s/step, peak {r.PeakWorkingSetBytes / 1e6:F0} MB, growth over the second half " +
                        $"{r.GrowthBytesPer1000Steps / 1e6:F1} MB per 1,000 steps ({100 * r.GrowthBytesPer1000Steps / r.Samples[^1].Bytes:F2} % of the resident memory)"));
                }
                return 0;
            }
            foreach (var (preset, teacher, embedding) in presets)
            {
                var r = LiftingBenchmark.Run(preset, teacher, parse.GetValue(steps), parse.GetValue(repeats), embedding);
                stdout.WriteLine(string.Create(inv,
                    $"{r.Preset} (batch {r.Batch}): step {r.StepMilliseconds:F0} ms, peak memory {r.PeakWorkingSetBytes / 1e9:F2} GB, " +
                    $"2048² matmul {r.MatmulFlopsPerSecond / 1e9:F0} GFLOP/s (the reference rate: convolutions may exceed it)"));
                stdout.WriteLine(string.Create(inv, $"  {"part",-24} {"ms/call",9}   calls {"ms/step",9}  share   {"conv GFLOP",10} {"GFLOP/s",8} {"of mm",7}"));
                foreach (var c in r.Components)
                    stdout.WriteLine(string.Create(inv,
                        $"  {c.Name,-24} {c.Milliseconds,9:F1} x {c.CallsPerStep,-4} {c.PerStepMilliseconds,9:F1} {100 * c.PerStepMilliseconds / r.StepMilliseconds,5:F1} %  " +
                        $"{c.ConvFlops / 1e9,10:F3} {c.FlopsPerSecond / 1e9,8:F1} {100 * c.FlopsPerSecond / r.MatmulFlopsPerSecond,6:F1} %"));
                stdout.WriteLine(string.Create(inv, $"  {"rest",-24} {"",9}        {r.RestMilliseconds,9:F1} {100 * r.RestMilliseconds / r.StepMilliseconds,5:F1} %"));
                double? target = r.Preset switch { "synth_64" => 1000.0, "ffhq_256" => 30000.0, _ => null };
                string rest = string.Create(inv, $"rest <= 10 % -> {100 * r.RestMilliseconds / r.StepMilliseconds:F1} %");
                stdout.WriteLine(target is double t
                    ? string.Create(inv, $"  target: step <= {t:N0} ms -> {r.StepMilliseconds / t:F2}x of it; {rest}")
                    : string.Create(inv, $"  no step target for {r.Preset} (ffhq_256's is 30,000 ms -> {r.StepMilliseconds / 30000.0:F2}x of it); {rest}"));
                stdout.WriteLine(string.Create(inv,
                    $"  the official two-pass order of the same step: {r.TwoPassStepMilliseconds:F0} ms (folded / two-pass {r.StepMilliseconds / r.TwoPassStepMilliseconds:F2}x)"));
                if (r.Stages is { } stages) BenchTrainCommand.Print(stdout, stages);
                if (parse.GetValue(bf16)) PrintPrecision(stdout, LiftingBenchmark.PerceptualPrecision(preset, parse.GetValue(repeats)));
            }
            return 0;
        }));
        return cmd;
    }

    static void PrintPrecision(TextWriter stdout, PrecisionBenchResult p)
    {
        var inv = CultureInfo.InvariantCulture;
        bool cpuBf16 = File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains(" avx512_bf16");
        stdout.WriteLine(string.Create(inv,
            $"  perceptual in bfloat16 ({p.Batch} x {p.ImageSize} px; CPU flag avx512_bf16: {(cpuBf16 ? "yes" : "no")}), float32 / bfloat16 ms per call:"));
        stdout.WriteLine(string.Create(inv,
            $"    image side (fwd+bwd) {p.ImageSideSingleMs,8:F1} / {p.ImageSideHalfMs,8:F1}  ratio {p.ImageSideHalfMs / p.ImageSideSingleMs:F2}"));
        stdout.WriteLine(string.Create(inv,
            $"    target (fwd)         {p.TargetSingleMs,8:F1} / {p.TargetHalfMs,8:F1}  ratio {p.TargetHalfMs / p.TargetSingleMs:F2}"));
        stdout.WriteLine(string.Create(inv,
            $"    bfloat16 vs float32: features {p.FeatureRelativeError:E2} (worst map), loss {p.LossRelativeError:E2}, gradient {p.GradientRelativeError:E2} relative L2, gradient cosine {p.GradientCosine:F4}"));
    }

    /// <summary>The shape of the shipped 64 px teacher (models/stylegan2_world64.pt: style 128, 4 mapping layers, channels 256, 256, 128, 64, 32).</summary>
    internal static GeneratorConfig SynthTeacher => StyleGanBenchmark.WorldFit64.Generator;
}
