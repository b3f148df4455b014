using System.CommandLine;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// The one vocabulary of the command line: every option name, the concept it stands for, the names it replaced (kept
/// as hidden aliases on the commands that used them) and the library parameter names it answers for in error messages.
/// A name means one concept on every command, and a concept has one name. `VocabularyTests` checks every option of
/// the command tree against this list; docs/cli.md prints it.
/// </summary>
internal static class OptionVocabulary
{
    /// <summary>A name a term replaced, on the commands (paths such as "eval report") that used it.</summary>
    internal sealed record OldName(string Name, params string[] Commands);

    /// <summary>One option name: what it means, the names it replaced, and the library parameters it answers for.</summary>
    internal sealed record Term(string Name, string Meaning, OldName[] Old, string[] Parameters)
    {
        public Term(string name, string meaning, params OldName[] old) : this(name, meaning, old, []) { }

        /// <summary>The same term answering for the library parameters <paramref name="parameters"/>.</summary>
        public Term For(params string[] parameters) => this with { Parameters = parameters };
    }

    /// <summary>The vocabulary, grouped as docs/cli.md shows it.</summary>
    public static readonly IReadOnlyList<(string Group, Term[] Terms)> Groups =
    [
        ("Every command",
        [
            new("--device", "compute device: cpu, or cuda[:N] with a CUDA build of TorchSharp"),
            new("--threads", "intra-op CPU threads of libtorch"),
            new("--no-verify", "skip the CRC-32 check of zip checkpoint entries"),
        ]),
        ("Models and inputs",
        [
            new("--ckpt", "a lift: a LiftedGAN checkpoint (training checkpoint_NNN.pth or packed)", new OldName("--lift", "eval report", "bench eval")),
            new("--stylegan", "a StyleGAN2 checkpoint: the teacher of a lift or of a baseline, or the generator `stylegan generate` samples",
                new OldName("--ckpt", "stylegan generate"), new OldName("--teacher", "unsup3d train")),
            new("--face-embedding", "a face-embedding checkpoint (identity train, pack, or the official LResNet)",
                new OldName("--embedding", "eval identity-yaw"), new OldName("--ckpt", "identity eval")),
            new("--parser", "a network whose foreground mask places GAN2Shape's ellipsoid prior (the official face parser's role)"),
            new("--estimator", "a pose-and-depth estimator checkpoint (eval train-estimator)"),
            new("--expression-estimator", "an expression estimator checkpoint (eval train-expression)"),
            new("--supervised", "a supervised-truth lift of the same teacher: the reference of the exact-truth protocol"),
            new("--unsup3d", "an Unsup3d checkpoint (unsup3d train, or packed)"),
            new("--vgg", "torchvision VGG16 weights (perceptual loss and distance)"),
            new("--consistency-target", "what the control methods' estimator-read terms (Tax-free's consistency, DiscoFaceGAN's imitative pose and light) compare the image's reading with"),
            new("--no-confidence", "train Unsup3d without its confidence network (plain losses)"),
            new("--perceptual-weight", "weight of Unsup3d's perceptual term"),
            new("--inception", "Inception weights for FID/KID"),
            new("--models", "the folder of the shipped models"),
            new("--port", "the localhost port a server listens on"),
            new("--resume", "a checkpoint to resume a training run from"),
            new("--init", "a checkpoint whose networks a new training run or fit starts from (fresh optimisers; control train: a second stage at step 0, unsup3d train: the model's schedule continued, gan2shape fit/truth: every fit from the joint pre-training)"),
            new("--projection-steps", "steps of the projection of an image into the teacher before a GAN2Shape fit"),
            new("--gan2shape-init", "a GAN2Shape joint pre-training: eval compare adds a GAN2Shape row whose fits start from it"),
            new("--ablations", "an `eval ablations` study folder"),
            new("--data", "images: a training folder or a procedural source; for gan2shape fit, the folder of images to reconstruct", new OldName("--images", "unsup3d train")),
            new("--prepared", "a real-face folder as `data lfw` writes it (train/ and held-out/ by identity, split.csv)"),
            new("--pairs", "LFW's pairs.txt: the verification pairs of its 10-fold protocol"),
            new("--latents", "an .npy of latents z (N x style) used instead of random ones"),
            new("--key", "the checkpoint entry holding the generator"),
            new("--a", "the first image source of a comparison"),
            new("--b", "the second image source of a comparison"),
            new("--tb", "a TensorBoard folder or event file"),
            new("--csv", "a CSV log whose first column is the step"),
            new("--glob", "which files of a folder source are read"),
            new("--synth", "use the exact procedural world instead of a lifted generator"),
            new("--control", "a 3DMM-controlled generator checkpoint (control train)"),
            new("--src", "a data set's source folder as fetched (data lfw)"),
            new("--judge", "an independent judge network's ONNX file(s): FSA-Net head pose (eval pose)"),
            new("--images", "a folder of images a command reads one by one (eval pose)"),
        ]),
        ("Outputs",
        [
            new Term("--out", "where results go: a folder, or a file for commands that write one").For("output folder"),
            new("--save-json", "also write the result as JSON to this file", new OldName("--json", "eval truth", "identity eval")),
            new("--save-npy", "also write the images as .npy"),
            new("--save-a", "also write the first source's statistics to this file"),
            new("--json", "print JSON instead of a table"),
            new("--cache", "folder of cached statistics"),
            new("--no-cache", "neither read nor write cached statistics"),
            new("--formats", "mesh file formats to write"),
            new("--texture", "the colours a mesh carries"),
            new("--fp16", "store floating-point tensors as float16"),
            new("--resumable", "keep what a training run needs to continue"),
            new Term("--grids", "also write example grids of the first N images").For("grids"),
            new("--gt", "which ground-truth files a procedural dataset gets"),
            new("--truth", "also write the procedural world's exact render and maps of each latent"),
            new("--title", "chart title"),
            new("--y-label", "label of a chart's y axis"),
        ]),
        ("Sampling",
        [
            new Term("--n", "how many samples (images, faces or latents) a command draws").For("count", "faces"),
            new("--seed", "seed of everything random a command draws"),
            new("--eval-seed", "seed of the evaluation samples, where --seed seeds training"),
            new Term("--truncation", "ψ of the truncation trick, w ← ψ·w + (1 − ψ)·w_mean").For("truncation"),
            new("--truncation-mean", "latents averaged for the mean w"),
            new("--stored-noise", "use the checkpoint's noise buffers instead of fresh noise"),
            new Term("--batch", "batch size: images processed together", new OldName("--lift-batch", "demo")).For("batch size", "batch", "lift batch"),
            new Term("--size", "image size in pixels (square)").For("size"),
            new Term("--held-out-fraction", "fraction of identities held out of a real-face data set").For("held-out fraction"),
            new Term("--min-images", "the fewest photos an identity needs to be used").For("minimum images per identity"),
            new Term("--sample-weights", "per-image sampling weights of an image folder (CSV file,weight)").For("sample weights"),
            new Term("--poses", "a pose judge's angles per image (CSV file,yaw,pitch,roll from eval pose --images)").For("poses"),
            new Term("--column", "which column of a CSV is used"),
            new("--summary", "print a folder's summary instead of one row per file"),
            new Term("--bin-width", "width of the bins an angle is counted in, degrees").For("bin width"),
            new Term("--power", "exponent of the inverse bin count in balanced weights (0 uniform, 1 flat)").For("power"),
            new Term("--max-weight", "largest weight allowed, as a multiple of the mean").For("max weight"),
            new("--margin-warmup", "steps over which ArcFace's angular margin rises from 0 to its value"),
            new Term("--width", "base channel width of a network").For("width"),
            new("--symmetric", "exactly mirror-symmetric identities"),
            new Term("--per-identity", "consecutive dataset images that share one identity").For("per identity"),
            new("--identities", "how many identities are rendered"),
            new("--views", "rendered views per identity"),
            new("--first", "index of the first identity rendered"),
        ]),
        ("Controls",
        [
            new("--axis", "the pose axis of a sweep: yaw or pitch"),
            new Term("--max-angle", "half-range of a pose sweep in degrees").For("max angle"),
            new Term("--yaws", "comma-separated yaw angles in degrees").For("yaws", "yaw angles"),
            new Term("--frames", "images along an interpolation or sweep, both ends included", new OldName("--steps", "interpolate")).For("steps", "frames"),
            new("--value", "a face-model parameter of a controlled face, name=value (repeatable)"),
            new("--resample", "the one factor a controlled face has redrawn: identity, expression, light, pose or other"),
            new("--sweep", "the face-model parameter a controlled face sweeps over its range"),
        ]),
        ("Projection (a photo into the teacher)",
        [
            new Term("--space", "the latent space a projection optimises: w (one style) or wplus (one per layer)"),
            new Term("--crop", "how a photo is cut to the teacher's square: centre or lfw"),
            new Term("--pixel-weight", "weight of the pixel term of a projection's loss").For("pixel weight"),
            new Term("--pixel-loss", "the pixel term of a projection's loss: l1 or mse"),
            new Term("--save-every", "steps between snapshots of an optimisation's current result").For("snapshot interval"),
        ]),
        ("Training",
        [
            new Term("--steps", "training steps: the step a run ends at (benchmarks: the steps timed; a projection: its optimisation steps)",
                new OldName("--iter", "stylegan train"), new OldName("--lift-steps", "demo"), new OldName("--train-steps", "bench stylegan"))
                .For("steps", "lift steps"),
            new("--epochs", "a lift's epochs (the official LiftedGAN schedule: epochs x epoch size steps)"),
            new("--epoch-size", "a lift's steps per epoch"),
            new("--ckpt-every", "steps between checkpoints"),
            new("--sample-every", "steps between sample grids"),
            new("--truth-every", "steps between exact-truth measurements of a lift"),
            new Term("--preset", "a named settings preset: a lift's synth_64, ffhq_256 or cats_256; GAN2Shape's cpu or official").For("preset"),
            new("--objective", "what a run is trained to do"),
            new("--method", "which 3DMM-controlled generator: disco (DiscoFaceGAN) or taxfree (Tax-free)"),
            new("--noise-dims", "free noise dimensions of a control code"),
            new("--contrast-from", "the step from which DiscoFaceGAN's contrastive losses are added"),
            new("--blend-steps", "steps over which Tax-free's blending α grows from 0 to 1"),
            new("--render-warmup", "steps of a control run's warm start on the face model's renders alone"),
            new("--pixel-region", "where DiscoFaceGAN's pixel loss compares: the render's face or the whole image"),
            new("--weight", "override one named loss weight of a control run, name=value"),
            new("--estimator-ramp", "steps over which a control run's estimator-driven and contrastive terms grow to their weights"),
            new("--set", "override one named lift setting, name=value"),
            new Term("--lr", "learning rate").For("learning rate"),
            new("--beta1", "Adam β1"),
            new("--lr-mlp", "learning-rate multiplier of the StyleGAN2 mapping network"),
            new("--r1", "R1 regularisation weight"),
            new("--path-regularize", "path-length regularisation weight"),
            new("--mixing", "style-mixing probability"),
            new("--ema-decay", "g_ema decay per step"),
            new("--augment", "DiffAugment on every discriminator input"),
            new("--style-dim", "StyleGAN2 style (z and w) size"),
            new("--n-mlp", "StyleGAN2 mapping network depth"),
            new("--channels", "StyleGAN2 generator channel table"),
            new("--d-channels", "StyleGAN2 discriminator channel table"),
        ]),
        ("Evaluation",
        [
            new Term("--n-rec", "samples for the reconstruction distance").For("reconstruction samples"),
            new("--n-table2", "samples for the Table-2 protocol"),
            new("--n-truth", "samples for the exact-truth protocol", new OldName("--truth-samples", "lift")),
            new Term("--n-gan2shape", "samples GAN2Shape is fitted to (the first of a comparison's samples)").For("costly count"),
            new("--cost", "a method's training cost stated by hand, METHOD=TEXT"),
            new("--n-fid", "samples per side for FID/KID", new OldName("--fid-n", "eval ablations", "eval report")),
            new("--n-identity", "faces for identity vs yaw", new OldName("--identity-faces", "eval ablations", "eval report")),
            new Term("--ds-groups", "disentanglement-score groups per varied factor", new OldName("--groups", "eval ds")).For("groups"),
            new Term("--ds-per-group", "disentanglement-score samples per group", new OldName("--per-group", "eval ds")).For("per-group"),
            new Term("--ds-reference", "teacher images for the disentanglement score's normaliser", new OldName("--reference", "eval ds")).For("reference"),
            new("--definition", "which disentanglement score: discofacegan or taxfree"),
            new Term("--ds-floor", "the disentanglement score's resolution floor ε of normalised spreads").For("floor"),
            new("--seeds", "how many consecutive seeds a measurement is repeated with (reported as mean ± std)"),
            new("--world-truth", "the teacher is world-fit: exact factor values instead of the estimator's"),
            new("--from-lift", "parts of a lift's decomposition a depth-signal probe takes from the lift instead of the exact truth"),
            new("--world-target", "a depth-signal probe reconstructs the world's own render instead of the teacher's image"),
            new("--held-out", "held-out procedural images for an estimator's own error", new OldName("--estimator-held-out", "eval report")),
            new("--tags", "scalar tags or CSV columns to plot"),
            new("--smooth", "moving-average window in points"),
        ]),
        ("Benchmarks",
        [
            new("--repeats", "timed repetitions per measurement (the median is reported)",
                new OldName("--iterations", "bench render", "bench eval"), new OldName("--rounds", "bench conv", "bench hugepages"),
                new OldName("--gen-iters", "bench stylegan")),
            new("--only", "run only the named cases"),
            new("--whole-fit", "bench gan2shape: also time a whole fit beside the prediction of its per-step medians"),
            new("--leak-steps", "training steps of a leak test (resident memory sampled along the way)"),
            new("--leak-every", "steps between a leak test's memory samples"),
            new("--bf16", "also measure a network in bfloat16 beside float32"),
            new("--sizes", "image sizes to measure"),
            new("--batches", "batch sizes to measure"),
        ]),
    ];

    /// <summary>Every term, by name.</summary>
    public static readonly IReadOnlyDictionary<string, Term> Terms =
        Groups.SelectMany(g => g.Terms).ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The path of a command below the root ("eval report"; "" for the root).</summary>
    public static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null && c.Parents.FirstOrDefault() is Command parent; c = parent) names.Insert(0, c.Name);
        return string.Join(' ', names);
    }

    /// <summary>Every command of the tree, the root first, each before its subcommands.</summary>
    public static IEnumerable<Command> Walk(Command root) => root.Subcommands.SelectMany(Walk).Prepend(root);

    /// <summary>Adds each term's old names as aliases to the options of the commands that used them.</summary>
    public static void AddOldNames(Command root)
    {
        foreach (var command in Walk(root))
        {
            string path = PathOf(command);
            foreach (var option in command.Options)
                if (Terms.TryGetValue(option.Name, out var term))
                    foreach (var old in term.Old.Where(o => o.Commands.Contains(path)))
                        option.Aliases.Add(old.Name);
        }
    }

    /// <summary>
    /// The flag that stands for a library parameter on <paramref name="command"/>: the term answering for it whose
    /// option the command (or a parent) has, else the only term answering for it; null when none or several do.
    /// </summary>
    public static string? FlagFor(string parameter, Command? command)
    {
        var terms = Terms.Values.Where(t => t.Parameters.Contains(parameter, StringComparer.Ordinal)).ToList();
        var onCommand = terms.Where(t => command is not null && OptionsOf(command).Any(o => o.Name == t.Name)).ToList();
        return onCommand.Count == 1 ? onCommand[0].Name : onCommand.Count == 0 && terms.Count == 1 ? terms[0].Name : null;
    }

    /// <summary>The options a command accepts: its own and its parents' recursive ones.</summary>
    public static IEnumerable<Option> OptionsOf(Command command)
    {
        foreach (var o in command.Options) yield return o;
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            foreach (var o in parent.Options.Where(o => o.Recursive)) yield return o;
    }
}
