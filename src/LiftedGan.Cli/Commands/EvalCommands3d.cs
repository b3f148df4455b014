using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.StyleGan2;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Lifting;
using Spectre.Console;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval train-estimator | table2 | identity-yaw`: 3D accuracy, pose and identity evaluation.</summary>
internal static class EvalCommands3d
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static IEnumerable<Command> Create() => new[] { TrainEstimator(), TrainExpression(), Table2(), Truth(), EvalCompareCommand.Create(), IdentityYawCommand(), EvalPoseCommand.Create(), LiftPhotoCommand.CreateEval(), EvalDepthSignalCommand.Create() };

    static Command TrainEstimator()
    {
        var options = new EstimatorTrainingOptions(steps: 2000, batch: 32, width: 32);
        var command = options.Command("train-estimator", "Train the pose-and-depth estimator (Table-2 pseudo ground truth) on the procedural world and report its own error.");
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var o = new PoseDepthTrainingOptions
            {
                Steps = parse.GetValue(options.Steps), Batch = parse.GetValue(options.Batch), Size = parse.GetValue(options.Size),
                Width = parse.GetValue(options.Width), Seed = parse.GetValue(options.Seed),
            };
            var (path, every) = options.Checked(parse);
            using var trainer = File.Exists(path) ? PoseDepthTrainer.Resume(path, o) : new PoseDepthTrainer(o);
            using var net = trainer.Net;
            int startStep = trainer.Step;
            var (losses, trainSeconds) = EstimatorTrainingOptions.Train(stdout, "estimator", path, o.Steps, startStep, "F3",
                progress => PoseDepthTraining.Run(trainer, path, every, progress));
            net.eval();
            var e = GeometryErrors.OnFaceWorld(images => PoseDepthTraining.Predict(net, images), parse.GetValue(options.HeldOut), o.Size, seed: o.Seed + 1_000_003);
            var log = EstimatorTrainingOptions.Log(parse, o, trainSeconds, startStep, losses, e);
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".json"), JsonSerializer.SerializeToUtf8Bytes(log, Indented));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out {e.Images}: SIDE {100 * e.Side:F3}e-2, MAD {e.Mad:F2}°, depth {e.NormalizedDepth:F3}, yaw {e.YawError:F2}°, pitch {e.PitchError:F2}°, roll {e.RollError:F2}°, {e.EmptyOverlap} without foreground overlap -> {path}"));
            return 0;
        }));
        return command;
    }

    static Command TrainExpression()
    {
        var options = new EstimatorTrainingOptions(steps: 1000, batch: 16, width: 16);
        var command = options.Command("train-expression", "Train the expression estimator (smile, mouth_open, brow_raise; for the control generators' DS) on the procedural world and report its held-out error beside the constant answer's.");
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var o = new ExpressionTrainingOptions
            {
                Steps = parse.GetValue(options.Steps), Batch = parse.GetValue(options.Batch), Size = parse.GetValue(options.Size),
                Width = parse.GetValue(options.Width), Seed = parse.GetValue(options.Seed),
            };
            var (path, every) = options.Checked(parse);
            int held = parse.GetValue(options.HeldOut);
            if (held < 2) throw new UsageException($"--held-out {held}: must be at least 2");
            using var trainer = File.Exists(path) ? ExpressionTrainer.Resume(path, o) : new ExpressionTrainer(o);
            using var net = trainer.Net;
            int startStep = trainer.Step;
            var (losses, trainSeconds) = EstimatorTrainingOptions.Train(stdout, "expression", path, o.Steps, startStep, "F4",
                progress => ExpressionTraining.Run(trainer, path, every, progress));
            net.eval();
            var e = ExpressionTraining.HeldOut(net, held, seed: o.Seed + 1_000_003);
            var log = EstimatorTrainingOptions.Log(parse, o, trainSeconds, startStep, losses, e);
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".json"), JsonSerializer.SerializeToUtf8Bytes(log, Indented));
            var c = CultureInfo.InvariantCulture;
            stdout.WriteLine($"held-out {e.Images} renders: mean |error| (constant answer's)");
            for (int j = 0; j < e.Parameters.Count; j++)
                stdout.WriteLine(string.Create(c, $"  {e.Parameters[j]}: {e.Mae[j]:F3} ({e.ConstantMae[j]:F3}), r = {e.Correlation[j]:F3}"));
            stdout.WriteLine(string.Create(c, $"  mean: {e.MeanMae:F3} ({e.MeanConstantMae:F3}) -> {path}"));
            return 0;
        }));
        return command;
    }

    static Command Table2()
    {
        var estimator = new Option<string>("--estimator") { Description = "Pose-and-depth estimator checkpoint (eval train-estimator).", Required = true };
        var ckpt = new Option<string>("--ckpt") { Description = "LiftedGAN checkpoint.", Required = true };
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher StyleGAN2 checkpoint.", Required = true };
        var n = new Option<int>("--n") { Description = "Number of latents.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var command = new Command("table2", "Table-2 3D columns: lifted estimate vs the estimator's pseudo ground truth on teacher images.")
        {
            estimator, ckpt, stylegan, n, seed, batch,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var net = PoseDepthTraining.Load(parse.GetValue(estimator)!);
            using var model = LiftedCheckpoint.Open(parse.GetValue(ckpt)!, parse.GetValue(stylegan)!);
            var r = Table2Protocol.ForLiftedGenerator(model, net, parse.GetValue(n), parse.GetValue(seed), parse.GetValue(batch));
            stdout.WriteLine(JsonSerializer.Serialize(r, Indented));
            return 0;
        }));
        return command;
    }

    static Command Truth()
    {
        var ckpt = new Option<string>("--ckpt")
        {
            Description = "The model scored: a LiftedGAN checkpoint, or an Unsup3d checkpoint (unsup3d train; it reads the teacher's images), told by content.",
            Required = true,
        };
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher: a world-fit StyleGAN2 (stylegan train --objective world-fit).", Required = true };
        var estimator = new Option<string?>("--estimator") { Description = "Optional supervised pose-and-depth estimator, scored on the same samples." };
        var supervised = new Option<string?>("--supervised")
        {
            Description = "Optional supervised reference: a lift checkpoint trained with lift --objective supervised-truth on the same teacher with " +
                          "the same network sizes; scored exactly like the lift, with the ratios lift/supervised of SIDE and MAD.",
        };
        var n = new Option<int>("--n") { Description = "Number of latents.", DefaultValueFactory = _ => 500 };
        var seed = new Option<long>("--seed") { Description = "Seed of the latents.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var json = new Option<string?>("--save-json") { Description = "Also write the result as JSON to this file." };
        var command = new Command("truth", "Exact-truth errors of a lift (or an Unsup3d model) on a world-fit teacher (truncation 1): angles, SIDE, MAD, " +
                                           "canonical depth correlation and distinctiveness, beside the supervised reference (same networks trained on the truth), " +
                                           "the estimator and trivial baselines.")
        {
            ckpt, stylegan, supervised, estimator, n, seed, batch, json,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacher = parse.GetValue(stylegan)!;
            if (StyleGan2.StyleGanCheckpoint.ReadObjective(teacher) != StyleGan2.TrainObjective.WorldFit)
                throw new EvaluationException(teacher, "not a world-fit teacher (its args do not say objective world_fit): its samples have no exact truth");
            var estimatorPath = parse.GetValue(estimator);
            using var net = estimatorPath is null ? null : PoseDepthTraining.Load(estimatorPath);
            var r = TruthSubjects.Evaluate(parse.GetValue(ckpt)!, teacher, net, parse.GetValue(n), parse.GetValue(seed), parse.GetValue(batch), parse.GetValue(supervised));
            PrintTruth(stdout, r);
            var jsonPath = parse.GetValue(json);
            if (jsonPath is not null) AtomicFile.WriteAllBytes(jsonPath, System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(r, Indented) + "\n"));
            return 0;
        }));
        return command;
    }

    /// <summary>Prints an exact-truth result as `eval truth` does: the method table, biases, gains and the canonical-depth scores.</summary>
    internal static void PrintTruth(TextWriter stdout, ExactTruthResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"{r.Samples} samples, seed {r.Seed}, truncation 1; teacher vs world render L1 {r.TeacherFitL1:F4} (world mean image: {r.MeanImageL1:F4})"));
        stdout.WriteLine($"{"method",-28} {"yaw mean/med",14} {"pitch mean/med",15} {"roll mean/med",14} {"SIDE",8} {"MAD",7} {"relief",7}");
        static string A(AngleStats? a) => a is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{a.MeanAbs:F2}/{a.MedianAbs:F2}");
        foreach (var m in r.Methods)
            stdout.WriteLine(string.Create(inv, $"{m.Method,-28} {A(m.Yaw),14} {A(m.Pitch),15} {A(m.Roll),14} {m.Side,8:F4} {m.Mad,7:F2} {m.Relief,7:F2}"));
        stdout.WriteLine("relief: std of the log depth over the true one's on the scored overlap (1: the true depth of relief; 0: a plane)");
        stdout.WriteLine("mean signed error (bias) and mean absolute error with the bias removed, yaw / pitch / roll:");
        static string C(AngleStats? a) => a is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{a.Bias:+0.00;-0.00;0.00}/{a.CentredMeanAbs:F2}");
        foreach (var m in r.Methods.Where(m => m.Yaw is not null))
            stdout.WriteLine(string.Create(inv, $"{m.Method,-28} {C(m.Yaw),14} {C(m.Pitch),15} {C(m.Roll),14}"));
        stdout.WriteLine("gain (slope of the predicted angle on the true one; 1 turns as far as the truth), yaw / pitch / roll:");
        foreach (var m in r.Methods.Where(m => m.Yaw is not null && double.IsFinite(m.Yaw.Gain)))
            stdout.WriteLine(string.Create(inv, $"{m.Method,-28} {m.Yaw!.Gain,14:F2} {m.Pitch!.Gain,15:F2} {m.Roll!.Gain,14:F2}"));
        if (r.ComposerYawGain is double turn)
            stdout.WriteLine(string.Create(inv,
                $"composer turn: the teacher's face turns {turn:F2} x the yaw asked of M (estimator on G(M(w, L, ±{ExactTruthProtocol.ComposerTurnDegrees:F0}°)), over its own gain)"));
        if (r.CanonicalPose is { } cp)
            stdout.WriteLine(string.Create(inv,
                $"canonical image pose (estimator), yaw / pitch / roll: mean |angle| {cp.MeanAbs[0]:F2} / {cp.MeanAbs[1]:F2} / {cp.MeanAbs[2]:F2} (teacher's images {cp.SourceMeanAbs[0]:F2} / {cp.SourceMeanAbs[1]:F2} / {cp.SourceMeanAbs[2]:F2}); slope on the source's true angle {cp.SlopeOnTruth[0]:F2} / {cp.SlopeOnTruth[1]:F2} / {cp.SlopeOnTruth[2]:F2} (0: frontal)"));
        string method = r.Subject.Method;
        stdout.WriteLine(string.Create(inv, $"{method} canonical depth correlation {r.CanonicalCorrelation:F3}; distinctiveness {r.Distinctiveness:F3}"));
        if (r.SideRatio is double side && r.MadRatio is double mad)
            stdout.WriteLine(string.Create(inv,
                $"supervised canonical depth correlation {r.SupervisedCanonicalCorrelation:F3}; distinctiveness {r.SupervisedDistinctiveness:F3}; {method}/supervised: SIDE {side:F3}x, MAD {mad:F3}x"));
    }

    static Command IdentityYawCommand()
    {
        var embedding = new Option<string>("--face-embedding") { Description = "Face-embedding checkpoint (identity train, or LResNet).", Required = true };
        var ckpt = new Option<string?>("--ckpt") { Description = "LiftedGAN or Unsup3d checkpoint (told apart by content; with --stylegan, whose samples Unsup3d reconstructs)." };
        var stylegan = new Option<string?>("--stylegan") { Description = "The teacher StyleGAN2 checkpoint." };
        var synth = new Option<bool>("--synth") { Description = "Use the exact procedural world instead of a lifted generator or Unsup3d model." };
        var n = new Option<int>("--n") { Description = "Number of faces.", DefaultValueFactory = _ => 100 };
        var yaws = new Option<string>("--yaws") { Description = "Comma-separated yaw angles in degrees.", DefaultValueFactory = _ => "-45,-30,-15,0,15,30,45" };
        var size = new Option<int>("--size") { Description = "Render size for --synth.", DefaultValueFactory = _ => 64 };
        var seed = new Option<long>("--seed") { Description = "Seed of faces.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output folder (similarity.csv, mean.csv, similarity.png; with --ckpt also flat-card/, the lift's frontal image on a flat card turned the same way).", Required = true };
        var command = new Command("identity-yaw", "Identity similarity (cosine to the frontal rendering) versus yaw.")
        {
            embedding, ckpt, stylegan, synth, n, yaws, size, seed, output,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var angles = parse.GetValue(yaws)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--yaws {s}: not a number"))
                .ToList();
            bool useSynth = parse.GetValue(synth);
            string? lift = parse.GetValue(ckpt), sg = parse.GetValue(stylegan);
            if (useSynth == (lift is not null)) throw new UsageException("--synth or --ckpt: give exactly one");
            if (lift is not null && sg is null) throw new UsageException("--stylegan: needed with --ckpt");
            var embed = PretrainedNetworks.LoadFaceEmbedding(parse.GetValue(embedding)!);
            bool isUnsup3d = lift is not null && TruthSubjects.KindOf(lift) == SubjectKind.Unsup3d;
            using var model = lift is null || isUnsup3d ? null : LiftedCheckpoint.Open(lift, sg!);
            using var unsup3d = isUnsup3d ? Unsup3dCheckpoint.Open(lift!) : null;
            using var teacher = isUnsup3d ? StyleGanCheckpoint.LoadGenerator(sg!) : null;
            teacher?.eval();
            long faceSeed = parse.GetValue(seed);
            Func<int, IReadOnlyList<double>, TorchSharp.torch.Tensor> Renderer(bool flat) => unsup3d is not null ? IdentityYaw.Unsup3dRenderer(unsup3d, teacher!, faceSeed, flat)
                : IdentityYaw.LiftedRenderer(model!, faceSeed, flat);
            var render = lift is null ? IdentityYaw.FaceWorldRenderer(faceSeed, parse.GetValue(size)) : Renderer(flat: false);
            var r = IdentityYaw.Measure(embed, parse.GetValue(n), angles, render);
            string folder = parse.GetValue(output)!;
            // A method also gets the constant-shape answer: its own frontal image on a flat card, turned the same way.
            var flat = lift is null ? null : IdentityYaw.Measure(embed, parse.GetValue(n), angles, Renderer(flat: true));
            if (flat is null)
            {
                r.Write(folder, "world, mean ± std");
                stdout.Write(r.MeanTableCsv());
            }
            else
            {
                string label = isUnsup3d ? Unsup3dTruthSubject.Name : ExactTruthProtocol.Lift;
                r.Write(folder, $"{label}, mean ± std", [("flat card (constant shape)", flat)]);
                flat.Write(Path.Combine(folder, "flat-card"), "flat card, mean ± std");
                stdout.WriteLine($"yaw_degrees,{label}_mean,{label}_std,flat_card_mean,flat_card_std,faces");
                for (int j = 0; j < angles.Count; j++)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{angles[j]:G6},{r.Mean[j]:F4},{r.Std[j]:F4},{flat.Mean[j]:F4},{flat.Std[j]:F4},{r.Faces}"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean over the turned yaws: {label} {r.MeanOverYaws:F4}, flat card {flat.MeanOverYaws:F4}"));
            }
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"different faces (chance): mean cosine {r.DifferentFaces:F4} between the frontal renderings of the {r.Faces} faces"));
            stdout.WriteLine($"-> {folder}");
            return 0;
        }));
        return command;
    }
}
