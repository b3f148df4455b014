using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.IO;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan identity train`: the embedded default's face embedding, trained on procedural identities.</summary>
internal static class IdentityCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output checkpoint (.pt); a JSON log is written beside it.", Required = true };
        var identities = new Option<int>("--identities") { Description = "Training identities.", DefaultValueFactory = _ => 400 };
        var views = new Option<int>("--views") { Description = "Rendered views per identity.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 1500 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--size") { Description = "Image size (32, 64, 128).", DefaultValueFactory = _ => 64 };
        var seed = new Option<long>("--seed") { Description = "Seed of identities, views, initialisation and batches.", DefaultValueFactory = _ => 1 };
        var train = new Command("train", "Train the identity embedding (ArcFace) on the procedural face world and report held-out verification.")
        {
            output, identities, views, steps, batch, size, seed,
        };
        train.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var o = new IdentityTrainingOptions
            {
                Identities = parse.GetValue(identities), ViewsPerIdentity = parse.GetValue(views), Steps = parse.GetValue(steps),
                Batch = parse.GetValue(batch), Size = parse.GetValue(size), Seed = parse.GetValue(seed),
            };
            string path = parse.GetValue(output)!;
            if (Directory.Exists(path)) throw new UsageException($"--out {path}: is a folder; give a file name");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var losses = new List<double>();
            IdentityEmbeddingNetwork? net = null;
            TrainingProgress.Run(stdout, "identity", o.Steps, 0, report =>
                net = IdentityEmbeddingTraining.Train(o, (s, l) =>
                {
                    losses.Add(l);
                    report(s, string.Create(CultureInfo.InvariantCulture, $"step {s}/{o.Steps} loss {l:F3}"));
                }));
            IdentityEmbeddingTraining.Save(path, net!, o.Width);
            var (images, labels) = IdentityEmbeddingTraining.RenderPool(o.Seed, o.Identities, o.HeldOutIdentities, o.HeldOutViews, o.Size);
            var r = IdentityEmbeddingTraining.Evaluate(net!, images, labels);
            var log = new
            {
                command = CliValues.CommandLine(parse),
                options = o, wall_seconds = sw.Elapsed.TotalSeconds, machine = $"{Environment.ProcessorCount} cores",
                first_loss = losses.Take(20).Average(), last_loss = losses.TakeLast(20).Average(), held_out = r,
                loss_every_10 = losses.Where((_, i) => i % 10 == 0).ToArray(),
            };
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".json"), JsonSerializer.SerializeToUtf8Bytes(log, new JsonSerializerOptions { WriteIndented = true }));
            stdout.WriteLine($"{Describe(r, o.HeldOutIdentities, o.HeldOutViews)} -> {path}");
            return 0;
        }));

        var ckpt = new Option<string>("--face-embedding") { Description = "Identity embedding (.pt from identity train or pack).", Required = true };
        var evalIdentities = new Option<int>("--identities") { Description = "Held-out identities to render.", DefaultValueFactory = _ => 100 };
        var evalViews = new Option<int>("--views") { Description = "Views per held-out identity.", DefaultValueFactory = _ => 4 };
        var first = new Option<int>("--first")
        {
            Description = "Index of the first held-out identity (identity train holds out the ones after its --identities).",
            DefaultValueFactory = _ => 400,
        };
        var json = new Option<string?>("--save-json") { Description = "Also write the scores as JSON to this file." };
        var eval = new Command("eval", "Verification of an identity embedding on rendered identities of the current face world (never trained on when " +
                                       "--first is at least the training run's --identities and --seed is its seed).")
        {
            ckpt, evalIdentities, evalViews, first, size, seed, json,
        };
        eval.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int count = CliValues.Int(parse, evalIdentities, 2, 10_000), views = CliValues.Int(parse, evalViews, 2, 64);
            var net = PretrainedNetworks.LoadFaceEmbedding(parse.GetValue(ckpt)!);
            var (images, labels) = IdentityEmbeddingTraining.RenderPool(parse.GetValue(seed), CliValues.Int(parse, first, 0, int.MaxValue - count), count, views, parse.GetValue(size));
            VerificationResult r;
            using (images)
            using (labels)
                r = IdentityEmbeddingTraining.Evaluate(net, images, labels);
            stdout.WriteLine(Describe(r, count, views));
            if (parse.GetValue(json) is { } jsonPath)
                AtomicFile.WriteAllBytes(jsonPath, JsonSerializer.SerializeToUtf8Bytes(new { command = CliValues.CommandLine(parse), held_out = r },
                    new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return new Command("identity", "The procedural-world identity embedding.") { train, eval };
    }

    static string Describe(VerificationResult r, int identities, int views) => string.Create(CultureInfo.InvariantCulture,
        $"held-out {identities} identities x {views} views: same {r.SameIdentityCosine:F3}, different {r.DifferentIdentityCosine:F3}, " +
        $"balanced verification {100 * r.VerificationAccuracy:F1} % (chance 50 %), ROC AUC {r.Auc:F4} (chance 0.5), TAR {100 * r.TarAtFar1e3:F1} % at FAR 0.1 %, " +
        $"rank-1 {100 * r.Rank1Accuracy:F1} % (chance {100 * r.Rank1Chance:F1} %)");
}
