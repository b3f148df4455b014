using System.CommandLine;
using System.Globalization;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Training;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan bench train`: where a training step's time goes in the trainers other than the lift's.</summary>
internal static class BenchTrainCommand
{
    static readonly string[] Trainers = ["stylegan-world-fit", "stylegan-adversarial", "estimator", "identity"];

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Profiled training steps per trainer after one warm-up step (16 covers StyleGAN2's lazy R1 once and path length 4 times).", DefaultValueFactory = _ => 16 };
        var only = new Option<string[]>("--only") { Description = $"Trainers to profile (default all): {string.Join(", ", Trainers)}.", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("train", "Profile the training steps of StyleGAN2 (world-fit and adversarial), the pose-and-depth estimator and the identity embedding (random weights, the shipped runs' settings): every part of a step, its share and the rest.") { steps, only };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int n = CliValues.Int(parse, steps, 1, 100_000);
            var chosen = parse.GetValue(only) is { Length: > 0 } names ? names : Trainers;
            foreach (var name in chosen)
                if (!Trainers.Contains(name)) throw new UsageException($"--only {name}: expected one of {string.Join(", ", Trainers)}");
            stdout.WriteLine($"bench train: {torch.get_num_threads()} torch threads, {Environment.ProcessorCount} logical CPUs, {n} steps each");
            foreach (var name in chosen)
            {
                var profile = name switch
                {
                    "stylegan-world-fit" => StyleGanBenchmark.Profile("StyleGAN2 world-fit (the shipped teacher's run)", StyleGanBenchmark.WorldFit64, n),
                    "stylegan-adversarial" => StyleGanBenchmark.Profile("StyleGAN2 adversarial (the real-face teacher's run)", StyleGanBenchmark.Adversarial64, n),
                    "estimator" => PoseDepthTraining.Profile(n),
                    _ => IdentityEmbeddingTraining.Profile(n),
                };
                Print(stdout, profile);
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Prints a lap-timed profile: each part per step, its share and laps, the rest and any one-off work.</summary>
    internal static void Print(TextWriter stdout, TrainerProfile p)
    {
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv,
            $"{p.Name} ({p.Setting}): step {p.StepMilliseconds:F1} ms ({1000 / p.StepMilliseconds:F2} steps/s) over {p.Steps} steps, peak memory {p.PeakBytes / 1e6:F0} MB"));
        stdout.WriteLine(string.Create(inv, $"  {"part",-36} {"ms/step",9}  share   laps"));
        foreach (var part in p.Parts)
        {
            double perStep = part.TotalMilliseconds / p.Steps;
            stdout.WriteLine(string.Create(inv, $"  {part.Name,-36} {perStep,9:F1} {100 * perStep / p.StepMilliseconds,5:F1} %  {part.Laps,5}"));
        }
        stdout.WriteLine(string.Create(inv, $"  {"rest",-36} {p.RestMilliseconds,9:F1} {100 * p.RestMilliseconds / p.StepMilliseconds,5:F1} %"));
        if (p.OneOffMilliseconds > 0)
            stdout.WriteLine(string.Create(inv, $"  once before the steps: {p.OneOff}: {p.OneOffMilliseconds / 1000:F1} s"));
    }
}
