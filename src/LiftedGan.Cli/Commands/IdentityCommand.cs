using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Evaluation;
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
        var prepared = new Option<string?>("--prepared")
        {
            Description = "Real photos instead of rendered identities: a folder `data lfw` prepared (train/ and held-out/ by identity, split.csv); " +
                          "trains on train/, verifies on held-out/.",
        };
        var pairs = new Option<string?>("--pairs") { Description = "LFW's pairs.txt: also run its 10-fold verification on the --prepared images." };
        var minImages = new Option<int>("--min-images") { Description = "The fewest photos an identity needs to be used.", DefaultValueFactory = _ => 2 };
        var marginWarmup = new Option<int>("--margin-warmup")
        {
            Description = "Steps over which ArcFace's margin rises from 0 to 0.5 (0: full margin from the start; real photos of many identities need it).",
            DefaultValueFactory = _ => 0,
        };
        var train = new Command("train", "Train the identity embedding (ArcFace) on the procedural face world, or on real photos (--prepared), and report held-out verification.")
        {
            output, identities, views, steps, batch, size, seed, prepared, pairs, minImages, marginWarmup,
        };
        train.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var o = new IdentityTrainingOptions
            {
                Identities = parse.GetValue(identities), ViewsPerIdentity = parse.GetValue(views), Steps = parse.GetValue(steps),
                Batch = parse.GetValue(batch), Size = parse.GetValue(size), Seed = parse.GetValue(seed),
                MinImages = CliValues.Int(parse, minImages, 2, 1000), MarginWarmupSteps = CliValues.Int(parse, marginWarmup, 0, int.MaxValue),
            };
            string? photoRoot = parse.GetValue(prepared), pairsFile = parse.GetValue(pairs);
            if (pairsFile is not null && photoRoot is null) throw new UsageException("--pairs needs --prepared (the images of the pairs)");
            if (photoRoot is not null) o = o with { PhotoFolder = Path.Combine(photoRoot, LiftedGan.Data.LfwPreparation.TrainSplit) };
            string path = parse.GetValue(output)!;
            if (Directory.Exists(path)) throw new UsageException($"--out {path}: is a folder; give a file name");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var losses = new List<double>();
            IdentityEmbeddingNetwork? net = null;
            IReadOnlyList<string> trained = [];
            TrainingProgress.Run(stdout, "identity", o.Steps, 0, report =>
                net = IdentityEmbeddingTraining.Train(o, out trained, (s, l) =>
                {
                    losses.Add(l);
                    report(s, string.Create(CultureInfo.InvariantCulture, $"step {s}/{o.Steps} loss {l:F3}"));
                }));
            IdentityEmbeddingTraining.Save(path, net!, o.Width, trained);
            var (r, text) = photoRoot is null ? Rendered(net!, o.Seed, o.Identities, o.HeldOutIdentities, o.HeldOutViews, o.Size)
                : Photos(net!, photoRoot, o.Size, o.MinImages);
            var pairScores = pairsFile is null ? null : PhotoVerification.OnPairs(net!, pairsFile, photoRoot!, o.Size, trained);
            var log = new
            {
                command = CliValues.CommandLine(parse),
                options = o, trained_identities = trained.Count, wall_seconds = sw.Elapsed.TotalSeconds, machine = $"{Environment.ProcessorCount} cores",
                first_loss = losses.Take(20).Average(), last_loss = losses.TakeLast(20).Average(), held_out = r, lfw_pairs = pairScores,
                loss_every_10 = losses.Where((_, i) => i % 10 == 0).ToArray(),
            };
            AtomicFile.WriteAllBytes(Path.ChangeExtension(path, ".json"), JsonSerializer.SerializeToUtf8Bytes(log, new JsonSerializerOptions { WriteIndented = true }));
            stdout.WriteLine($"{text} -> {path}");
            if (pairScores is not null) stdout.WriteLine(DescribePairs(pairScores));
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
                                       "--first is at least the training run's --identities and --seed is its seed), or on real photos (--prepared: " +
                                       "the held-out identities, and LFW's pairs with --pairs).")
        {
            ckpt, evalIdentities, evalViews, first, size, seed, json, prepared, pairs, minImages,
        };
        eval.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            int count = CliValues.Int(parse, evalIdentities, 2, 10_000), views = CliValues.Int(parse, evalViews, 2, 64);
            string embeddingPath = parse.GetValue(ckpt)!;
            string? photoRoot = parse.GetValue(prepared), pairsFile = parse.GetValue(pairs);
            if (pairsFile is not null && photoRoot is null) throw new UsageException("--pairs needs --prepared (the images of the pairs)");
            var net = PretrainedNetworks.LoadFaceEmbedding(embeddingPath);
            var (r, text) = photoRoot is null
                ? Rendered(net, parse.GetValue(seed), CliValues.Int(parse, first, 0, int.MaxValue - count), count, views, parse.GetValue(size))
                : Photos(net, photoRoot, parse.GetValue(size), CliValues.Int(parse, minImages, 2, 1000));
            stdout.WriteLine(text);
            PairVerificationResult? pairScores = null;
            if (pairsFile is not null)
            {
                pairScores = PhotoVerification.OnPairs(net, pairsFile, photoRoot!, parse.GetValue(size), IdentityEmbeddingTraining.TrainedIdentities(embeddingPath));
                stdout.WriteLine(DescribePairs(pairScores));
            }
            if (parse.GetValue(json) is { } jsonPath)
                AtomicFile.WriteAllBytes(jsonPath, JsonSerializer.SerializeToUtf8Bytes(new { command = CliValues.CommandLine(parse), held_out = r, lfw_pairs = pairScores },
                    new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return new Command("identity", "The procedural-world identity embedding.") { train, eval };
    }

    /// <summary>Verification on rendered identities [first, first + count) of the world, with its description.</summary>
    static (VerificationResult, string) Rendered(IFaceEmbedding net, long seed, int first, int count, int views, int size)
    {
        var (images, labels) = IdentityEmbeddingTraining.RenderPool(seed, first, count, views, size);
        using (images)
        using (labels)
        {
            var r = IdentityEmbeddingTraining.Evaluate(net, images, labels);
            return (r, Describe(r, $"held-out {count} identities x {views} views"));
        }
    }

    /// <summary>Verification on the held-out photos of a prepared folder, with its description.</summary>
    static (VerificationResult, string) Photos(IFaceEmbedding net, string prepared, int size, int minImages)
    {
        string folder = Path.Combine(prepared, LiftedGan.Data.LfwPreparation.HeldOutSplit);
        var (r, identities, images) = PhotoVerification.OnFolder(net, folder, size, minImages);
        return (r, Describe(r, $"held-out photos ({folder}): {identities} identities with at least {minImages} photos, {images} photos"));
    }

    static string DescribePairs(PairVerificationResult p) => string.Create(CultureInfo.InvariantCulture,
        $"LFW pairs: {p.Pairs} pairs, {p.Folds}-fold accuracy {100 * p.FoldAccuracy:F1} ± {100 * p.FoldAccuracyStd:F1} % (chance 50 %), ROC AUC {p.Auc:F4}, " +
        $"same {p.SameCosine:F3}, different {p.DifferentCosine:F3}; pairs of identities not trained on: {p.CleanSame} same, {p.CleanDifferent} different, " +
        $"ROC AUC {p.CleanAuc:F4}, balanced accuracy {100 * p.CleanBalancedAccuracy:F1} % at the all-pairs threshold");

    static string Describe(VerificationResult r, string what) => string.Create(CultureInfo.InvariantCulture,
        $"{what}: same {r.SameIdentityCosine:F3}, different {r.DifferentIdentityCosine:F3}, " +
        $"balanced verification {100 * r.VerificationAccuracy:F1} % (chance 50 %), ROC AUC {r.Auc:F4} (chance 0.5), TAR {100 * r.TarAtFar1e3:F1} % at FAR 0.1 %, " +
        $"rank-1 {100 * r.Rank1Accuracy:F1} % (chance {100 * r.Rank1Chance:F1} %)");
}
