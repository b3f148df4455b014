using System.CommandLine;
using System.Globalization;
using System.Text;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval ds | ablations | report`: disentanglement score, the ablation study and the results report.</summary>
internal static class EvalCommandsStudy
{
    public static IEnumerable<Command> Create() => new[] { Ds(), Ablations(), Report() };

    /// <summary>Sample-count options shared by ablations and report.</summary>
    sealed class Counts
    {
        public readonly Option<int> Rec = new("--n-rec") { Description = "Samples for reconstruction L1 (0 skips).", DefaultValueFactory = _ => 256 };
        public readonly Option<int> Table2 = new("--n-table2") { Description = "Samples for the Table-2 protocol (needs --estimator; 0 skips).", DefaultValueFactory = _ => 1000 };
        public readonly Option<int> Groups = new("--ds-groups") { Description = "DS groups per factor (needs --estimator; 0 skips).", DefaultValueFactory = _ => 1000 };
        public readonly Option<int> PerGroup = new("--ds-per-group") { Description = "DS samples per group.", DefaultValueFactory = _ => 10 };
        public readonly Option<int> Reference = new("--ds-reference") { Description = "DS reference (teacher) images for the normaliser.", DefaultValueFactory = _ => 1000 };
        public readonly Option<int> Identity = new("--n-identity") { Description = "Faces for identity vs yaw (needs --face-embedding; 0 skips).", DefaultValueFactory = _ => 100 };
        public readonly Option<int> Fid = new("--n-fid") { Description = "Samples per side for FID/KID (0 skips; < 2048 is flagged as unstable).", DefaultValueFactory = _ => 500 };
        public readonly Option<string?> Inception = new("--inception") { Description = "FID Inception weights; without them a labelled substitute network is used." };
        public readonly Option<string?> Estimator = new("--estimator") { Description = "Pose-and-depth estimator (eval train-estimator) for Table 2 and DS." };
        public readonly Option<string?> Embedding = new("--face-embedding") { Description = "Face embedding for identity vs yaw and the identity factor of DS (and the identity loss when training)." };
        public readonly Option<string?> Vgg = new("--vgg") { Description = "torchvision VGG16 weights for the perceptual reconstruction distance (and the perceptual loss when training); else each lift's random-feature substitute." };
        public readonly Option<long> Seed = new("--eval-seed") { Description = "Seed of every evaluation sample.", DefaultValueFactory = _ => 1 };
        public readonly Option<int> Truth = new("--n-truth") { Description = "Samples for the exact-truth protocol (world-fit teachers only; 0 skips).", DefaultValueFactory = _ => 500 };
        public readonly Option<string?> Supervised = new("--supervised")
        {
            Description = "Supervised reference for the exact-truth protocol (lift --objective supervised-truth on the same teacher, same sizes): " +
                          "scored beside each lift, with the ratios lift/supervised of SIDE and MAD.",
        };

        public IEnumerable<Option> All => new Option[] { Rec, Table2, Groups, PerGroup, Reference, Identity, Fid, Truth, Supervised, Inception, Estimator, Embedding, Vgg, Seed };

        public ModelEvaluationOptions Options(ParseResult p) => new()
        {
            ReconstructionSamples = NonNegative(p.GetValue(Rec), "--n-rec"), Table2Samples = NonNegative(p.GetValue(Table2), "--n-table2"),
            DsGroups = NonNegative(p.GetValue(Groups), "--ds-groups"), DsPerGroup = p.GetValue(PerGroup), DsReference = p.GetValue(Reference),
            IdentityFaces = NonNegative(p.GetValue(Identity), "--n-identity"), FidSamples = NonNegative(p.GetValue(Fid), "--n-fid"), Seed = p.GetValue(Seed),
            VggPath = p.GetValue(Vgg), TruthSamples = NonNegative(p.GetValue(Truth), "--n-truth"), SupervisedCheckpoint = p.GetValue(Supervised),
        };
    }

    static int NonNegative(int v, string name) => v >= 0 ? v : throw new UsageException($"{name} {v}: must be 0 or more");

    /// <summary>Loads what the options name and evaluates each checkpoint; the teacher's FID set and the world's identity curve are measured once.</summary>
    static List<ModelMetrics> EvaluateAll(ParseResult parse, Counts counts, string teacher, IReadOnlyList<(string Name, string Checkpoint)> models, Action<string> log)
    {
        var o = counts.Options(parse);
        using var estimator = parse.GetValue(counts.Estimator) is { } e ? PoseDepthTraining.Load(e) : null;
        var embedding = parse.GetValue(counts.Embedding) is { } f ? PretrainedNetworks.LoadFaceEmbedding(f) : null;
        if (estimator is null) log("no --estimator: Table 2 and DS are skipped");
        if (embedding is null) log("no --face-embedding: identity vs yaw and the identity factor of DS are skipped");
        using var fid = o.FidSamples > 0 ? new FidEvaluation(parse.GetValue(counts.Inception), new EvalOptions { Count = o.FidSamples, Seed = o.Seed, CacheFolder = null }, log) : null;
        using var teacherSet = fid is null ? null : MeasureTeacher(fid, teacher, o.Seed + 1);
        // The exact world's identity curve is the same for every model of one teacher: measured with the first, reused.
        var results = new List<ModelMetrics>();
        IdentityYawResult? world = null;
        foreach (var m in models)
        {
            var r = ModelEvaluation.Evaluate(m.Name, m.Checkpoint, teacher, estimator, embedding, fid, teacherSet, o, log, world);
            world ??= r.IdentityWorld;
            results.Add(r);
        }
        return results;
    }

    static EvalSet MeasureTeacher(FidEvaluation fid, string teacher, long seed)
    {
        using var source = new StyleGanEvalSource(teacher);
        return fid.Measure(source, seed, "teacher");
    }


    static Command Ds()
    {
        var ckpt = new Option<string?>("--ckpt") { Description = "LiftedGAN checkpoint (with --stylegan), or give --control." };
        var stylegan = new Option<string?>("--stylegan") { Description = "The teacher StyleGAN2 checkpoint of --ckpt." };
        var control = new Option<string[]>("--control")
        {
            Description = "Control generator checkpoint(s) (control train; repeat the option for several) to score in DiscoFaceGAN's Table-1 sense " +
                          "(identity, expression, light, pose varied through the code), beside the world (ceiling) and a code-ignoring floor, instead of a lift.",
        };
        var estimator = new Option<string>("--estimator") { Description = "Pose-and-depth estimator (eval train-estimator).", Required = true };
        var embedding = new Option<string?>("--face-embedding") { Description = "Face embedding: adds identity as a factor." };
        var expression = new Option<string?>("--expression-estimator") { Description = "Expression estimator (eval train-expression): adds expression as a factor (with --control)." };
        var groups = new Option<int>("--ds-groups") { Description = "Groups per varied factor (papers: 1000).", DefaultValueFactory = _ => 1000 };
        var perGroup = new Option<int>("--ds-per-group") { Description = "Samples per group (papers: 10).", DefaultValueFactory = _ => 10 };
        var reference = new Option<int>("--ds-reference") { Description = "Teacher images for the normaliser (world renders with --control).", DefaultValueFactory = _ => 1000 };
        var definition = new Option<string>("--definition") { Description = "discofacegan (Eq. 9: variances) or taxfree (Eq. 11: mean L2 distances).", DefaultValueFactory = _ => "discofacegan" };
        var seed = new Option<long>("--seed") { Description = "Seed of faces and controls (the first of --seeds).", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds") { Description = "Repeat with this many consecutive seeds and report DS as mean ± std.", DefaultValueFactory = _ => 3 };
        var floor = new Option<double>("--ds-floor")
        {
            Description = "Resolution floor ε of the normalised spreads (spreads below it count as ε; 0: the papers' formula, which refuses a factor that never moves).",
            DefaultValueFactory = _ => DisentanglementScore.DefaultFloor,
        };
        var worldTruth = new Option<bool>("--world-truth") { Description = "The teacher is world-fit: use the exact yaw, pitch and light (renderer controls, world parameters) instead of the estimator's." };
        var output = new Option<string?>("--out")
        {
            Description = "Folder for ds.csv and ds.md (each seed) and ds_seeds.csv / ds_seeds.md (the spread); with --control one subfolder per model and ds_table.md / ds_table.csv.",
        };
        var command = new Command("ds", "Disentanglement score of a lift's yaw, pitch, light (identity with an embedding), or of control generators' code factors " +
                                        "beside the world and a code-ignoring floor, over several seeds.")
        {
            ckpt, stylegan, control, estimator, embedding, expression, groups, perGroup, reference, definition, seed, seeds, floor, worldTruth, output,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var def = parse.GetValue(definition) switch
            {
                "discofacegan" => DisentanglementDefinition.DiscoFaceGan,
                "taxfree" => DisentanglementDefinition.TaxFree,
                var d => throw new UsageException($"--definition {d}: expected discofacegan or taxfree"),
            };
            var o = new DisentanglementOptions
            {
                Groups = parse.GetValue(groups), PerGroup = parse.GetValue(perGroup), ReferenceCount = parse.GetValue(reference), Seed = parse.GetValue(seed), Definition = def,
                Floor = CliValues.Real("--ds-floor", parse.GetValue(floor), 0, 1),
            };
            int runs = CliValues.Int(parse, seeds, 1, 100);
            var controls = parse.GetValue(control) ?? [];
            if ((controls.Length == 0) == (parse.GetValue(ckpt) is null || parse.GetValue(stylegan) is null))
                throw new UsageException("give either --ckpt with --stylegan (a lift) or --control (control generators)");
            if (controls.Length > 0 && parse.GetValue(worldTruth))
                throw new UsageException("--world-truth applies to lifts: a control generator's factors are always re-estimated from its images");
            if (controls.Length == 0 && parse.GetValue(expression) is not null)
                throw new UsageException("--expression-estimator applies to --control: a lift has no expression control");
            using var net = PoseDepthTraining.Load(parse.GetValue(estimator)!);
            var embed = parse.GetValue(embedding) is { } f ? PretrainedNetworks.LoadFaceEmbedding(f) : null;
            using var expressionNet = parse.GetValue(expression) is { } x ? ExpressionTraining.Load(x) : null;
            var folder = parse.GetValue(output);
            if (folder is not null) Directory.CreateDirectory(folder);
            if (controls.Length > 0)
            {
                ControlTable(parse, stdout, controls, net, embed, expressionNet, o, runs, folder);
                return 0;
            }
            using var sampler = LiftedSampler.Open(parse.GetValue(ckpt)!, parse.GetValue(stylegan)!);
            var spread = Seeds(parse, stdout, o, runs, folder, ok =>
                LiftedControls.MeasureDisentanglement(sampler, net, embed, ok, s => stdout.WriteLine($"seed {ok.Seed}: {s}"), parse.GetValue(worldTruth)));
            if (folder is not null) stdout.WriteLine($"-> {folder}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="measure"/> for <paramref name="runs"/> consecutive seeds, prints and (with a folder) writes
    /// each run and, for several, the spread; returns the spread (of the one run too).
    /// </summary>
    static DisentanglementSpread Seeds(System.CommandLine.ParseResult parse, TextWriter stdout, DisentanglementOptions o, int runs, string? folder,
        Func<DisentanglementOptions, DisentanglementResult> measure)
    {
        var results = new List<DisentanglementResult>();
        if (folder is not null) Directory.CreateDirectory(folder);
        for (int k = 0; k < runs; k++)
        {
            var ok = o with { Seed = o.Seed + k };
            var r = measure(ok);
            results.Add(r);
            stdout.Write($"seed {ok.Seed}\n{r.ToMarkdown()}\n");
            if (folder is not null)
            {
                string suffix = runs == 1 ? "" : $"_seed{ok.Seed}";
                AtomicFile.WriteAllBytes(Path.Combine(folder, $"ds{suffix}.csv"), Encoding.UTF8.GetBytes(r.ToCsv()));
                AtomicFile.WriteAllBytes(Path.Combine(folder, $"ds{suffix}.md"), Encoding.UTF8.GetBytes($"```sh\n{CliValues.CommandLine(parse)}\n```\n\nseed {ok.Seed}\n\n{r.ToMarkdown()}"));
            }
        }
        var spread = DisentanglementScore.Summarise(results);
        if (runs > 1)
        {
            stdout.Write(spread.ToMarkdown());
            if (folder is not null)
            {
                AtomicFile.WriteAllBytes(Path.Combine(folder, "ds_seeds.csv"), Encoding.UTF8.GetBytes(spread.ToCsv()));
                AtomicFile.WriteAllBytes(Path.Combine(folder, "ds_seeds.md"), Encoding.UTF8.GetBytes($"```sh\n{CliValues.CommandLine(parse)}\n```\n\n{spread.ToMarkdown()}"));
            }
        }
        return spread;
    }

    /// <summary>
    /// A control model's row name after its method: the file name without extension, with the run folder in front
    /// (RUN/checkpoint/NNNNNN.pt → "RUN NNNNNN") when another model of the table has the same file name.
    /// </summary>
    internal static string ControlRowStem(string path, IEnumerable<string> all)
    {
        static string Stem(string p) => Path.GetFileNameWithoutExtension(p);
        if (all.Count(p => Stem(p) == Stem(path)) < 2) return Stem(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string run = Path.GetFileName(dir) == "checkpoint" ? Path.GetFileName(Path.GetDirectoryName(dir)!) : Path.GetFileName(dir);
        return $"{run} {Stem(path)}";
    }

    /// <summary>
    /// DS of control generators in DiscoFaceGAN's Table-1 sense, between the world (its renders of the code: the
    /// ceiling) and a generator that ignores its code (the floor), all on the same groups, reference and estimators.
    /// </summary>
    static void ControlTable(System.CommandLine.ParseResult parse, TextWriter stdout, string[] controls, PoseDepthEstimator net, IFaceEmbedding? embed,
        ExpressionEstimator? expressionNet, DisentanglementOptions o, int runs, string? folder)
    {
        var models = controls.Select(c => (Path: c, Generator: LiftedGan.Control.ControlModel.Load(c))).ToList();
        try
        {
            var first = models[0].Generator.Config;
            foreach (var (path, g) in models)
                if (g.Config.Size != first.Size || g.Config.NoiseDims != first.NoiseDims)
                    throw new UsageException($"--control {path}: {g.Config.Size} px with {g.Config.NoiseDims} noise dims, the first has {first.Size} px with {first.NoiseDims}: " +
                                             "models of one table share the code layout and size");
            var sources = new List<(string Name, string Folder, Func<long, LiftedGan.Control.ControlCodeGroups> Make)>
            {
                ("world (ceiling)", "world", s => LiftedGan.Control.ControlCodeGroups.ForWorld(first.NoiseDims, first.Size, s)),
            };
            foreach (var (path, g) in models)
            {
                string method = g.Config.Method.ToString().ToLowerInvariant();
                string stem = ControlRowStem(path, models.Select(m => m.Path));
                sources.Add(($"{method} {stem}", $"{method}_{stem.Replace(' ', '_')}", s => LiftedGan.Control.ControlCodeGroups.ForGenerator(g, s)));
            }
            sources.Add(("code ignored (floor)", "floor", s => LiftedGan.Control.ControlCodeGroups.IgnoringCode(first.NoiseDims, first.Size, s)));
            var rows = new List<(string, DisentanglementSpread)>();
            foreach (var (name, sub, make) in sources)
            {
                stdout.WriteLine($"== {name}");
                var spread = Seeds(parse, stdout, o, runs, folder is null ? null : Path.Combine(folder, sub), ok =>
                    LiftedGan.Control.ControlCodeGroups.Measure(make(ok.Seed), net, embed, expressionNet, ok, s => stdout.WriteLine($"{name}, seed {ok.Seed}: {s}")));
                rows.Add((name, spread));
            }
            var table = new DisentanglementComparison(rows);
            var md = table.ToMarkdown();
            stdout.Write($"\n{md}");
            if (folder is not null)
            {
                AtomicFile.WriteAllBytes(Path.Combine(folder, "ds_table.csv"), Encoding.UTF8.GetBytes(table.ToCsv()));
                AtomicFile.WriteAllBytes(Path.Combine(folder, "ds_table.md"), Encoding.UTF8.GetBytes($"```sh\n{CliValues.CommandLine(parse)}\n```\n\n{md}"));
                stdout.WriteLine($"-> {folder}");
            }
        }
        finally
        {
            foreach (var (_, g) in models) g.Dispose();
        }
    }

    static Command Ablations()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher StyleGAN2 checkpoint.", Required = true };
        var preset = new Option<string>("--preset") { Description = "synth_64 (default), ffhq_256 or cats_256.", DefaultValueFactory = _ => "synth_64" };
        var steps = new Option<int?>("--steps") { Description = "Training steps of every run (default: the preset's schedule)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size (preset default)." };
        var seed = new Option<long?>("--seed") { Description = "Run seed shared by all runs (initialisation and every step's latents)." };
        var ckptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 500 };
        var output = new Option<string>("--out") { Description = "Study folder: one run folder per variant, report.md, report.csv, plots/.", Required = true };
        var counts = new Counts();
        var command = new Command("ablations", "Train the full model and the paper's four ablations with identical seeds, evaluate them and write a Table-2-style report.")
        {
            stylegan, preset, steps, batch, seed, ckptEvery, output,
        };
        foreach (var o in counts.All) command.Options.Add(o);
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            LiftingConfig Settings(LiftingConfig c)
            {
                if (parse.GetValue(steps) is int s) c = c with { Epochs = 1, StepsPerEpoch = s > 0 ? s : throw new UsageException($"--steps {s}: must be positive") };
                if (parse.GetValue(batch) is int b) c = c with { BatchSize = b > 0 ? b : throw new UsageException($"--batch {b}: must be positive") };
                if (parse.GetValue(seed) is long sd) c = c with { Seed = sd };
                return c;
            }
            string folder = parse.GetValue(output)!, teacher = parse.GetValue(stylegan)!;
            string? face = parse.GetValue(counts.Embedding);
            var inputs = new LiftingInputs(teacher, folder, parse.GetValue(counts.Vgg), face);
            var runs = AblationStudy.Train(LiftingConfig.FromPreset(parse.GetValue(preset)!), Settings, inputs, folder, parse.GetValue(ckptEvery), stdout.WriteLine,
                (v, p) => { if (p.Step % 10 == 0 || p.Step == p.TotalSteps) stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Name}: {p.Step}/{p.TotalSteps} {p.StepsPerSecond:F3} it/s")); });
            var rows = EvaluateAll(parse, counts, teacher, runs.Select(r => (r.Variant.Name, r.Checkpoint)).ToList(), stdout.WriteLine);
            var notes = new StringBuilder("Produced by:\n\n```sh\n").Append(CliValues.CommandLine(parse)).Append("\n```\n\nRuns (same preset, seed and steps; only the listed weights are 0):\n\n");
            foreach (var (v, c) in runs) notes.Append(CultureInfo.InvariantCulture, $"- `{v.Name}` ({v.Label}): removes {v.Removes}; `{Path.GetRelativePath(folder, c)}`\n");
            if (face is null) notes.Append("\nNo --face-embedding: the identity loss was off in every run, so `wo_idt` trains the same model as `full`.\n");
            if (parse.GetValue(counts.Vgg) is null) notes.Append("\nNo --vgg: the perceptual loss used the random-feature VGG16 substitute in every run.\n");
            ResultsReport.WriteComparison(folder, "Ablation study", rows, AblationStudy.Variants.ToDictionary(v => v.Name, v => v.Label), notes.ToString());
            stdout.WriteLine($"-> {Path.Combine(folder, "report.md")}");
            return 0;
        }));
        return command;
    }

    static Command Report()
    {
        var lift = new Option<string>("--ckpt") { Description = "The lift to report on (a LiftedGAN checkpoint, e.g. the shipped one).", Required = true };
        var stylegan = new Option<string>("--stylegan") { Description = "Its teacher StyleGAN2 checkpoint.", Required = true };
        var ablations = new Option<string?>("--ablations") { Description = "An `eval ablations` folder whose report.md is embedded." };
        var heldOut = new Option<int>("--held-out") { Description = "Held-out procedural images for the estimator's own error (noise floor).", DefaultValueFactory = _ => 256 };
        var output = new Option<string>("--out") { Description = "Markdown file to write (e.g. docs/results.md).", Required = true };
        var counts = new Counts();
        var command = new Command("report", "Every metric of a shipped lift in one markdown report (with the estimator's noise floor and, optionally, the ablation table).")
        {
            lift, stylegan, ablations, heldOut, output,
        };
        foreach (var o in counts.All) command.Options.Add(o);
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacher = parse.GetValue(stylegan)!, ckpt = parse.GetValue(lift)!, path = parse.GetValue(output)!;
            if (Directory.Exists(path)) throw new UsageException($"--out {path}: is a folder; give a file name");
            string? ablationMarkdown = null;
            if (parse.GetValue(ablations) is { } dir)
            {
                string file = Path.Combine(dir, "report.md");
                if (!File.Exists(file)) throw new EvaluationException(file, "no ablation report (run `liftedgan eval ablations` first)");
                // The study's plots are named relative to its folder; point them there from the report's folder.
                string plots = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFullPath(dir)).Replace('\\', '/') + "/plots/";
                ablationMarkdown = string.Join('\n', File.ReadAllLines(file).Skip(1).Select(l => l.StartsWith('#') ? "#" + l : l.Replace("(`plots/", "(`" + plots))).Trim();
            }
            var metrics = EvaluateAll(parse, counts, teacher, new[] { ("lift", ckpt) }, stdout.WriteLine)[0];
            GeometryErrors? floor = null;
            string? estimatorPath = parse.GetValue(counts.Estimator);
            if (estimatorPath is not null && parse.GetValue(heldOut) > 0)
            {
                using var net = PoseDepthTraining.Load(estimatorPath);
                floor = GeometryErrors.OnFaceWorld(images => PoseDepthTraining.Predict(net, images), parse.GetValue(heldOut), net.InputSize, seed: 2_000_003);
            }
            var md = ResultsReport.ModelMarkdown(metrics, teacher, floor, estimatorPath, CliValues.CommandLine(parse), ablationMarkdown);
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent) Directory.CreateDirectory(parent);
            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(md));
            stdout.WriteLine($"-> {path}");
            return 0;
        }));
        return command;
    }
}
