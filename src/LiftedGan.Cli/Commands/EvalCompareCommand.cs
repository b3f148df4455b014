using System.CommandLine;
using System.Globalization;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan eval compare`: every method on the same world-fit teacher samples with exact truth — a lift, Unsup3d, the
/// supervised oracle, GAN2Shape on the first samples, beside the constant template — as one markdown table and JSON.
/// </summary>
internal static class EvalCompareCommand
{
    /// <summary>The method names `--cost` accepts, and the rows they stand for.</summary>
    static readonly Dictionary<string, string> CostKeys = new()
    {
        ["lift"] = ExactTruthProtocol.Lift, ["unsup3d"] = Unsup3dTruthSubject.Name, ["supervised"] = ExactTruthProtocol.Supervised,
        ["gan2shape"] = Gan2ShapeTruthSubject.Name, ["gan2shape-joint"] = Gan2ShapeTruthSubject.JointName,
    };

    public static Command Create()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher: a world-fit StyleGAN2 (stylegan train --objective world-fit); its samples at ψ 1 are scored.", Required = true };
        var ckpt = new Option<string?>("--ckpt") { Description = "A LiftedGAN checkpoint of that teacher (the LiftedGAN row)." };
        var unsup3d = new Option<string?>("--unsup3d") { Description = "An Unsup3d checkpoint (unsup3d train, or packed): the Unsup3d row." };
        var supervised = new Option<string?>("--supervised") { Description = "A supervised-truth lift of the same teacher (lift --objective supervised-truth): the oracle row." };
        var embedding = new Option<string?>("--face-embedding") { Description = "Face embedding for the identity cosine under ±30° of yaw (identity train); without it that column is empty." };
        var n = new Option<int>("--n") { Description = "Teacher samples every method but GAN2Shape is scored on.", DefaultValueFactory = _ => 500 };
        var nGan2Shape = new Option<int>("--n-gan2shape")
        {
            Description = "GAN2Shape is fitted to the first N of the samples (a whole fit per image) and every method is scored again on those N beside it; 0 leaves it out.",
            DefaultValueFactory = _ => 0,
        };
        var preset = Gan2ShapeCommand.PresetOption();
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for GAN2Shape's perceptual terms (else a documented substitute)." };
        var parser = Gan2ShapeCommand.ParserOption();
        var g2sInit = new Option<string?>("--gan2shape-init")
        {
            Description = "A GAN2Shape joint pre-training (gan2shape pretrain, e.g. models/gan2shape_joint64.pth): with --n-gan2shape, a second GAN2Shape row whose " +
                          "fits start from it (the official face runs), beside the fits from the ellipsoid prior.",
        };
        var seed = new Option<long>("--seed") { Description = "Seed of the samples and of GAN2Shape's fits.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Samples per protocol batch.", DefaultValueFactory = _ => 8 };
        var cost = new Option<string[]>("--cost")
        {
            Description = "A method's training cost, METHOD=TEXT (lift, unsup3d, supervised; repeatable); shown as stated, in place of the training time its checkpoint stores (which counts only the steps run since checkpoints began to store it).",
            Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string>("--out") { Description = "Output folder: compare.md (the table and the papers' numbers) and compare.json.", Required = true };
        var command = new Command("compare",
            "Every method on the same world-fit teacher samples with exact truth (LiftedGAN, Unsup3d, the supervised oracle, GAN2Shape on the first samples, " +
            "the constant template): SIDE, MAD, angle errors, distinctiveness, identity under ±30°, cost; one markdown table and JSON beside the papers' numbers.")
        {
            stylegan, ckpt, unsup3d, supervised, embedding, n, nGan2Shape, preset, vgg, parser, g2sInit, seed, batch, cost, output,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacherPath = parse.GetValue(stylegan)!;
            if (!File.Exists(teacherPath)) throw new EvaluationException(teacherPath, "StyleGAN2 checkpoint not found");
            if (StyleGanCheckpoint.ReadObjective(teacherPath) != TrainObjective.WorldFit)
                throw new EvaluationException(teacherPath, "not a world-fit teacher (its args do not say objective world_fit): its samples have no exact truth");
            string? liftPath = parse.GetValue(ckpt), unsup3dPath = parse.GetValue(unsup3d), supervisedPath = parse.GetValue(supervised);
            int count = CliValues.Int(parse, n, 2, 1_000_000), fits = CliValues.Int(parse, nGan2Shape, 0, 1_000_000);
            if (fits == 1) throw new UsageException("--n-gan2shape 1: give 0 (no GAN2Shape) or at least 2 samples");
            if (fits > count) throw new UsageException($"--n-gan2shape {fits}: at most --n ({count})");
            if (liftPath is null && unsup3dPath is null && supervisedPath is null && fits == 0)
                throw new UsageException("--ckpt, --unsup3d, --supervised or --n-gan2shape: give at least one method");
            var costs = ParseCosts(parse.GetValue(cost) ?? []);
            long runSeed = parse.GetValue(seed);
            var config = fits > 0 ? Gan2ShapeCommand.Preset(parse.GetValue(preset)!, runSeed) : null;
            string outDir = parse.GetValue(output)!;

            using var teacher = StyleGanCheckpoint.LoadGenerator(teacherPath);
            teacher.eval();
            using var lift = liftPath is null ? null : LiftedCheckpoint.Open(liftPath, teacherPath);
            using var oracle = supervisedPath is null ? null : LiftedCheckpoint.Open(supervisedPath, teacherPath);
            if (oracle is not null) ExactTruthProtocol.CheckSupervisedTeacher(teacher, oracle);
            using var u3d = unsup3dPath is null ? null : Unsup3dCheckpoint.Open(unsup3dPath);
            var face = parse.GetValue(embedding) is { } e ? PretrainedNetworks.LoadFaceEmbedding(e) : null;
            using var perceptual = config is null ? null : Gan2ShapeCommand.Perceptual(parse.GetValue(vgg), runSeed);

            var labels = new Dictionary<string, string>();
            var subjects = new List<ITruthSubject>();
            if (lift is not null)
            {
                subjects.Add(new LiftTruthSubject(lift));
                var (step, seconds) = StoredProgress(liftPath!);
                if (step is long s) labels[ExactTruthProtocol.Lift] = string.Create(CultureInfo.InvariantCulture, $"LiftedGAN (step {s:N0})");
                if (seconds is double t && t > 0) costs.TryAdd(ExactTruthProtocol.Lift, TrainingCost(t));
            }
            if (u3d is not null)
            {
                subjects.Add(new Unsup3dTruthSubject(u3d));
                var (step, seconds) = Unsup3dCheckpoint.ReadProgress(unsup3dPath!);
                if (step is long s) labels[Unsup3dTruthSubject.Name] = string.Create(CultureInfo.InvariantCulture, $"Unsup3d (step {s:N0})");
                if (seconds is double t && t > 0) costs.TryAdd(Unsup3dTruthSubject.Name, TrainingCost(t));
            }
            if (oracle is not null)
            {
                subjects.Add(new LiftTruthSubject(oracle, ExactTruthProtocol.Supervised));
                if (StoredProgress(supervisedPath!).Seconds is double t && t > 0) costs.TryAdd(ExactTruthProtocol.Supervised, TrainingCost(t));
            }
            if (config is null && parse.GetValue(g2sInit) is not null) throw new UsageException("--gan2shape-init: needs --n-gan2shape (at least 2)");
            using var g2sStart = config is null ? null : Gan2ShapeCommand.Init(parse.GetValue(g2sInit));
            var costly = new List<ITruthSubject>();
            if (config is not null)
            {
                var box = Gan2ShapeCommand.ParserBox(parse.GetValue(parser));
                costly.Add(new Gan2ShapeTruthSubject(teacher, config, perceptual, (i, step) => stdout.WriteLine($"gan2shape sample {i}: {step}"), box));
                labels[Gan2ShapeTruthSubject.Name] = $"GAN2Shape ({parse.GetValue(preset)} preset, prior on {(parse.GetValue(parser) is null ? "the whole image" : "the parser's box")})";
                if (g2sStart is not null)
                {
                    costly.Add(new Gan2ShapeTruthSubject(teacher, config, perceptual, (i, step) => stdout.WriteLine($"gan2shape-joint sample {i}: {step}"), box, g2sStart));
                    labels[Gan2ShapeTruthSubject.JointName] = $"GAN2Shape ({parse.GetValue(preset)} preset, from the joint pre-training {Path.GetFileName(g2sStart.Path)})";
                }
            }

            var options = new MethodComparisonOptions { Count = count, Seed = runSeed, Batch = CliValues.Int(parse, batch, 1, 4096), CostlyCount = fits };
            var r = MethodComparison.Run(teacher, subjects, costly, face, options, costs, labels, stdout.WriteLine);
            string line = CliValues.CommandLine(parse);
            Directory.CreateDirectory(outDir);
            string md = ComparisonReport.Markdown(r, line);
            AtomicFile.WriteAllBytes(Path.Combine(outDir, "compare.md"), System.Text.Encoding.UTF8.GetBytes(md));
            AtomicFile.WriteAllBytes(Path.Combine(outDir, "compare.json"), System.Text.Encoding.UTF8.GetBytes(ComparisonReport.Json(r, line)));
            stdout.Write(ComparisonReport.MeasuredMarkdown(r));
            stdout.WriteLine($"-> {Path.Combine(outDir, "compare.md")}, compare.json");
            return 0;
        }));
        return command;
    }

    static Dictionary<string, MethodCost> ParseCosts(string[] values)
    {
        var costs = new Dictionary<string, MethodCost>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            string key = eq > 0 ? v[..eq].Trim() : "";
            if (eq <= 0 || !CostKeys.TryGetValue(key, out var method) || v[(eq + 1)..].Trim().Length == 0)
                throw new UsageException($"--cost {v}: give METHOD=TEXT with METHOD one of {string.Join(", ", CostKeys.Keys)}");
            costs[method] = new MethodCost(v[(eq + 1)..].Trim(), MethodCost.Stated);
        }
        return costs;
    }

    static MethodCost TrainingCost(double seconds) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F0} min of training steps"), MethodCost.Checkpoint);

    /// <summary>The global_step and training seconds a lift checkpoint stores, or null for either.</summary>
    static (long? Step, double? Seconds) StoredProgress(string path)
    {
        var root = TorchCheckpoint.Load(path);
        try
        {
            if (root is not PyDict d) return (null, null);
            return (d.TryGet("global_step", out var v) && v is long step ? step : null,
                d.TryGet(LiftingTrainer.TrainSecondsKey, out var t) && t is double seconds ? seconds : null);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }
}
