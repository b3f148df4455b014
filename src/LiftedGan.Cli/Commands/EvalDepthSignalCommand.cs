using System.CommandLine;
using System.Globalization;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval depth-signal`: <see cref="DepthSignalProbe"/> for each requested set of lift parts, one table.</summary>
internal static class EvalDepthSignalCommand
{
    static readonly Dictionary<string, LiftParts> Names = new(StringComparer.Ordinal)
    {
        ["light"] = LiftParts.Light, ["view"] = LiftParts.View, ["canonical"] = LiftParts.Canonical,
        ["transform"] = LiftParts.Transform, ["source"] = LiftParts.SourceAsCanonical,
        ["teacher-frontal"] = LiftParts.TeacherFrontal, ["world-frontal"] = LiftParts.WorldFrontal, ["none"] = LiftParts.None,
    };

    public static Command Create()
    {
        var ckpt = new Option<string>("--ckpt") { Description = "The LiftedGAN checkpoint whose decomposition is probed.", Required = true };
        var stylegan = new Option<string>("--stylegan") { Description = "Its world-fit teacher (stylegan train --objective world-fit).", Required = true };
        var parts = new Option<string[]>("--from-lift")
        {
            Description = "Parts taken from the lift instead of the truth, joined by +: light, view, canonical, transform, source " +
                          "(the teacher's own image of w as the canonical image), teacher-frontal (the teacher's image of the same face turned frontal and lit " +
                          "frontally through the world's latent map: the best canonical image this teacher can give), world-frontal (the world's render of it), or none; repeat for several probes. Default: none, then each part alone.",
            AllowMultipleArgumentsPerToken = true,
        };
        var world = new Option<bool>("--world-target") { Description = "Reconstruct the world's own render of each latent instead of the teacher's image (the teacher-free ceiling)." };
        var steps = new Option<int>("--steps") { Description = "Training steps of the depth decoder per probe.", DefaultValueFactory = _ => 600 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var n = new Option<int>("--n") { Description = "Held-out latents the distinctiveness is measured on.", DefaultValueFactory = _ => 64 };
        var every = new Option<int>("--truth-every") { Description = "Steps between measurements.", DefaultValueFactory = _ => 200 };
        var seed = new Option<long>("--seed") { Description = "Seed of the training latents (the held-out latents use seed 1).", DefaultValueFactory = _ => 7 };
        var command = new Command("depth-signal",
            "Can a lift's decomposition carry each face's own depth? Only the depth decoder trains, by the L1 of the official reconstruction, with the " +
            "light, view, canonical image and transformation map exact or taken from the lift; prints the distinctiveness it reaches per probe (world-fit teacher).")
        {
            ckpt, stylegan, parts, world, steps, batch, n, every, seed,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacher = parse.GetValue(stylegan)!;
            if (StyleGan2.StyleGanCheckpoint.ReadObjective(teacher) != StyleGan2.TrainObjective.WorldFit)
                throw new EvaluationException(teacher, "not a world-fit teacher (its args do not say objective world_fit): its samples have no exact truth");
            var requested = parse.GetValue(parts) is { Length: > 0 } given
                ? given.Select(Parse).ToList()
                : new List<LiftParts> { LiftParts.None, LiftParts.Light, LiftParts.View, LiftParts.Canonical, LiftParts.Transform };
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv,
                $"depth decoder trained alone, {parse.GetValue(steps)} steps of batch {parse.GetValue(batch)} per probe, target: {(parse.GetValue(world) ? "the world's render" : "the teacher's image")}; distinctiveness on {parse.GetValue(n)} held-out latents (seed 1)"));
            using (var lift = LiftedCheckpoint.Open(parse.GetValue(ckpt)!, teacher))
            {
                var f = DepthSignalProbe.Fidelity(lift, parse.GetValue(n));
                stdout.WriteLine(string.Create(inv,
                    $"canonical fidelity against the teacher's frontal image of each face ({f.Samples} latents, seed 1; L1 on the face, between-face slope and r):"));
                stdout.WriteLine(string.Create(inv, $"  lift canonical G(M(w, L0, 0))   L1 {f.LiftL1:F4}  slope {f.LiftSlope:F3}  r {f.LiftR:F3}"));
                stdout.WriteLine(string.Create(inv, $"  source image (no canonicalising) L1 {f.SourceL1:F4}  slope {f.SourceSlope:F3}  r {f.SourceR:F3}"));
                stdout.WriteLine(string.Create(inv, $"  one mean frontal image           L1 {f.MeanImageL1:F4}  slope 0  r 0"));
                stdout.WriteLine(string.Create(inv, $"  (the teacher's own error: its frontal image against the world's render, L1 {f.TeacherToWorldL1:F4})"));
            }
            var summary = new List<(LiftParts Parts, double Start, double End)>();
            foreach (var p in requested)
            {
                // A fresh copy of the lift per probe: the probe changes the depth decoder in place.
                using var model = LiftedCheckpoint.Open(parse.GetValue(ckpt)!, teacher);
                var options = new DepthSignalOptions
                {
                    FromLift = p, WorldTarget = parse.GetValue(world), Steps = parse.GetValue(steps), Batch = parse.GetValue(batch),
                    Samples = parse.GetValue(n), Every = parse.GetValue(every), Seed = parse.GetValue(seed),
                };
                var rows = DepthSignalProbe.Run(model, options, row => stdout.WriteLine(string.Create(inv,
                    $"  from lift: {Describe(p),-24} step {row.Step,5}  loss {row.Loss,8:F4}  distinctiveness {row.Distinctiveness:F3}")));
                summary.Add((p, rows[0].Distinctiveness, rows[^1].Distinctiveness));
            }
            stdout.WriteLine("parts from the lift            distinctiveness start -> end");
            foreach (var (p, start, end) in summary)
                stdout.WriteLine(string.Create(inv, $"{Describe(p),-30} {start,8:F3} -> {end:F3}"));
            return 0;
        }));
        return command;
    }

    static LiftParts Parse(string text)
    {
        var result = LiftParts.None;
        foreach (var name in text.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Names.TryGetValue(name, out var part))
                throw new UsageException($"--from-lift {text}: {name} is not one of {string.Join(", ", Names.Keys)}");
            result |= part;
        }
        return result;
    }

    static string Describe(LiftParts p) => p == LiftParts.None ? "none (all exact)"
        : string.Join("+", Names.Where(kv => kv.Value != LiftParts.None && p.HasFlag(kv.Value)).Select(kv => kv.Key));
}
