using System.CommandLine;
using System.Globalization;
using LiftedGan.Control;
using LiftedGan.Evaluation;
using LiftedGan.Imaging;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan control train | generate --method disco|taxfree`: 3DMM-controlled generation on the procedural face model.</summary>
internal static class ControlCommand
{
    public static Command Create()
    {
        var control = new Command("control", "3DMM-controlled generation (DiscoFaceGAN, Tax-free) with the procedural face model as the 3DMM.")
        {
            Train(), Generate(),
        };
        return control;
    }

    static ControlMethod Method(string? value) => value switch
    {
        "disco" => ControlMethod.Disco,
        "taxfree" => ControlMethod.TaxFree,
        _ => throw new UsageException($"--method {value}: expected disco or taxfree"),
    };

    static Command Train()
    {
        var method = new Option<string>("--method") { Description = "disco (DiscoFaceGAN) or taxfree (Tax-free).", Required = true };
        var output = new Option<string>("--out") { Description = "Run folder (checkpoint/, sample/, tb/, loss.csv); a run there is resumed.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Step the run ends at.", DefaultValueFactory = _ => 20000 };
        var ckptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 250 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample grids (generated above rendered).", DefaultValueFactory = _ => 250 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "Image size: 32 or 64.", DefaultValueFactory = _ => 64 };
        var seed = new Option<long>("--seed") { Description = "Seed of initialisation and of every step's draws.", DefaultValueFactory = _ => 1 };
        var estimator = new Option<string>("--estimator") { Description = "Pose-and-depth estimator (models/estimator_faces64.pt): R-Net's and FR's role.", Required = true };
        var embedding = new Option<string?>("--face-embedding") { Description = "Face embedding (models/identity_faces64.pt): the identity losses; without it they are skipped." };
        var lr = new Option<double>("--lr") { Description = "Learning rate of G and D (may change when a run is resumed; the Adam moments carry over).", DefaultValueFactory = _ => 2e-3 };
        var r1 = new Option<double>("--r1") { Description = "R1 weight γ.", DefaultValueFactory = _ => 1 };
        var styleDim = new Option<int>("--style-dim") { Description = "Width of w.", DefaultValueFactory = _ => 128 };
        var noiseDims = new Option<int>("--noise-dims") { Description = "Free noise dimensions of the control code.", DefaultValueFactory = _ => 16 };
        var width = new Option<int>("--width") { Description = "Synthesis and discriminator channels at every resolution.", DefaultValueFactory = _ => 64 };
        var contrastFrom = new Option<int>("--contrast-from") { Description = "disco: step from which the contrastive losses are added.", DefaultValueFactory = _ => 0 };
        var renderWarmup = new Option<int>("--render-warmup") { Description = "Steps of the render warm start: G fitted to the face model's render of its codes by the pixel term alone (over --pixel-region; with --weight expression=W or expression_balanced=W also that expression term), no discriminator, estimator or contrastive terms; then the method's whole objective (papers: 0).", DefaultValueFactory = _ => 0 };
        var lrMlp = new Option<double>("--lr-mlp") { Description = "Learning-rate multiplier of the mapping network (StyleGAN2: 0.01).", DefaultValueFactory = _ => 0.01 };
        var beta1 = new Option<double>("--beta1") { Description = "Adam β1 of G and D (StyleGAN2: 0).", DefaultValueFactory = _ => 0 };
        var pixelRegion = new Option<string>("--pixel-region") { Description = "Where the pixel loss (disco, the render warm start and taxfree's render term) compares G's image with the face model's render: face (the render's foreground, the paper) or image (the whole image; the world's render draws the background too).", DefaultValueFactory = _ => "face" };
        var consistencyTarget = new Option<string>("--consistency-target")
        {
            Description = "What the estimator-read terms (taxfree: the consistency term; disco: the imitative pose and light terms) compare the estimator's reading of the image with: " +
                          "code (the code's own normals, angles and light, the papers) or render (the estimator's reading of the face model's render of the code, so drawing the render exactly scores 0).",
            DefaultValueFactory = _ => "code",
        };
        var weights = new Option<string[]>("--weight")
        {
            Description = "A loss weight, name=value (repeatable): identity, pose, light, colour, pixel, expression (images of two codes that differ only in " +
                          "expression must differ as their renders do; in the warm start too; default 0), expression_balanced (the same with one expression " +
                          "parameter redrawn per pair and each parameter's residual over its renders' own change, so smile counts as much as mouth opening; default 0), expression_contrast, light_contrast, " +
                          "light_identity, consistency, render (taxfree: L1 to the injected render after the warm start; papers 0). A resumed run may change its weights, warm start, contrastive start, ramp, blending and --lr; nothing else.",
            AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore,
        };
        var ramp = new Option<int>("--estimator-ramp")
        {
            Description = "disco: steps over which the pose and light terms and the contrastive terms grow from 0 to their weights, from the end of the render warm start (papers: 0).",
            DefaultValueFactory = _ => 0,
        };
        var init = new Option<string?>("--init")
        {
            Description = "Start a new run's generator from a control checkpoint (training or packed, e.g. models/control_disco64.pt) for a second stage: " +
                          "its settings must equal this run's except the objective and --lr; discriminator and optimisers start fresh, at step 0. Ignored when the run folder already holds a checkpoint (it is resumed).",
        };
        var blendSteps = new Option<int>("--blend-steps") { Description = "taxfree: steps over which the blending α grows from 0 to 1.", DefaultValueFactory = _ => 1000 };
        var cmd = new Command("train", "Train a controlled generator against the procedural world (resumable, TensorBoard in RUN/tb).")
        {
            method, output, steps, ckptEvery, sampleEvery, batch, size, seed, estimator, embedding, lr, r1, styleDim, noiseDims, width, contrastFrom, blendSteps, renderWarmup, lrMlp, beta1, pixelRegion, consistencyTarget, weights, ramp, init,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var config = new ControlConfig
            {
                Method = Method(parse.GetValue(method)), Size = parse.GetValue(size), Batch = CliValues.Int(parse, batch, 2, 4096), Seed = parse.GetValue(seed),
                LearningRate = CliValues.Real("--lr", parse.GetValue(lr), 0, 1, minOpen: true), R1 = CliValues.Real("--r1", parse.GetValue(r1), 0, 1e4),
                StyleDim = CliValues.Int(parse, styleDim, 8, 4096), NoiseDims = CliValues.Int(parse, noiseDims, 1, 4096), Channels = CliValues.Int(parse, width, 4, 4096),
                ContrastFrom = CliValues.Int(parse, contrastFrom, 0, int.MaxValue), BlendSteps = CliValues.Int(parse, blendSteps, 0, int.MaxValue),
                RenderWarmupSteps = CliValues.Int(parse, renderWarmup, 0, int.MaxValue),
                MappingLrMultiplier = CliValues.Real("--lr-mlp", parse.GetValue(lrMlp), 0, 100, minOpen: true),
                Beta1 = CliValues.Real("--beta1", parse.GetValue(beta1), 0, 0.999),
                PixelRegion = parse.GetValue(pixelRegion) switch
                {
                    "face" => PixelRegion.Face, "image" => PixelRegion.Image,
                    var v => throw new UsageException($"--pixel-region {v}: face or image"),
                },
                ConsistencyTarget = parse.GetValue(consistencyTarget) switch
                {
                    "code" => ConsistencyTarget.Code, "render" => ConsistencyTarget.Render,
                    var v => throw new UsageException($"--consistency-target {v}: code or render"),
                },
            };
            config = config with { EstimatorRampSteps = CliValues.Int(parse, ramp, 0, int.MaxValue) };
            foreach (var v in parse.GetValue(weights) ?? [])
            {
                var (name, x) = NameNumber("--weight", v, "expected name=value with a finite value >= 0, e.g. pose=0.1");
                if (!double.IsFinite(x) || x < 0) throw new UsageException($"--weight {v}: expected name=value with a finite value >= 0, e.g. pose=0.1");
                if (!ControlConfig.WeightNames.Contains(name))
                    throw new UsageException($"--weight {v}: unknown name {name}; expected one of {string.Join(", ", ControlConfig.WeightNames)}");
                config = config.WithWeight(name, x);
            }
            if (config.Size is not (32 or 64)) throw new UsageException($"--size {config.Size}: 32 or 64");
            int total = CliValues.Int(parse, steps, 1, int.MaxValue);
            string outDir = parse.GetValue(output)!;
            using var net = PoseDepthTraining.Load(parse.GetValue(estimator)!);
            var embed = parse.GetValue(embedding) is { } f ? PretrainedNetworks.LoadFaceEmbedding(f) : null;
            if (embed is null) stdout.WriteLine("no --face-embedding: the identity losses are skipped");
            using var trainer = ControlRun.Open(config, new FaceAnalysis(net, embed), outDir, parse.GetValue(init));
            if (trainer.Step > 0) stdout.WriteLine($"resuming {outDir} at step {trainer.Step}");
            else if (trainer.InitialisedFrom is { } from) stdout.WriteLine($"generator started from {from}");
            TrainingProgress.Run(stdout, "control", total, trainer.Step, report =>
                ControlRun.Run(trainer, outDir, total, CliValues.Int(parse, ckptEvery, 1, int.MaxValue), CliValues.Int(parse, sampleEvery, 0, int.MaxValue),
                    p => report(p.Step, string.Create(CultureInfo.InvariantCulture,
                        $"step {p.Step}/{p.TotalSteps} g {p.Scalars["loss/g"]:F3} d {(p.Scalars.TryGetValue("loss/d", out var d) ? d.ToString("F3", CultureInfo.InvariantCulture) : "off")} ({p.StepsPerSecond:F2} steps/s)"))));
            stdout.WriteLine($"done: step {trainer.Step}; checkpoint {ControlRun.LatestCheckpoint(outDir)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>A name=number item of <paramref name="option"/> (name trimmed), or a usage error saying <paramref name="expected"/>.</summary>
    static (string Name, double Value) NameNumber(string option, string item, string expected)
    {
        var parts = item.Split('=', 2);
        if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
            throw new UsageException($"{option} {item}: {expected}");
        return (parts[0].Trim(), x);
    }

    static Command Generate()
    {
        var ckpt = new Option<string>("--control") { Description = "A control checkpoint (RUN/checkpoint/NNNNNN.pt of control train).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for face.png and the edits.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Seed of the factors not given a value.", DefaultValueFactory = _ => 1 };
        var values = new Option<string[]>("--value")
        {
            Description = "A face-model parameter's value, name=value (repeatable): e.g. yaw=30, smile=1, light_x=-0.5 (names: synth --help / docs/synthetic-world.md).",
            AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore,
        };
        var resample = new Option<string?>("--resample") { Description = "Edit one factor, keeping the others: identity, expression, light, pose or other." };
        var n = new Option<int>("--n") { Description = "Edits drawn by --resample (the first is the original).", DefaultValueFactory = _ => 8 };
        var sweep = new Option<string?>("--sweep") { Description = "A parameter swept over its range into sweep.gif (e.g. yaw, smile, light_x)." };
        var frames = new Option<int>("--frames") { Description = "Frames of the sweep.", DefaultValueFactory = _ => 16 };
        var cmd = new Command("generate", "A face from explicit identity / expression / pose / light values; one factor edited; a GIF sweep of one parameter.")
        {
            ckpt, output, seed, values, resample, n, sweep, frames,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var generator = ControlModel.Load(parse.GetValue(ckpt)!);
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var set = new Dictionary<string, double>();
            foreach (var v in parse.GetValue(values) ?? [])
            {
                var (parameter, x) = NameNumber("--value", v, "expected name=number, e.g. yaw=30");
                set[parameter] = x;
            }
            using var scope = NewDisposeScope();
            var code = ControlEdits.Code(generator.Config.NoiseDims, parse.GetValue(seed), set);
            var (face, render) = ControlEdits.Images(generator, code);
            ImageIO.SavePng(Path.Combine(outDir, "face.png"), ImageGrid.Make(cat(new[] { face, render }, 0), 2));
            stdout.WriteLine($"face (generated | face-model render) -> {Path.Combine(outDir, "face.png")}");
            if (parse.GetValue(resample) is { } factorName)
            {
                var factor = factorName switch
                {
                    "identity" => ControlFactor.Identity, "expression" => ControlFactor.Expression, "light" => ControlFactor.Light,
                    "pose" => ControlFactor.Pose, "other" => ControlFactor.Other,
                    _ => throw new UsageException($"--resample {factorName}: expected identity, expression, light, pose or other"),
                };
                int count = CliValues.Int(parse, n, 2, 64);
                var edited = ControlEdits.Resample(code, factor, count, parse.GetValue(seed) + 1);
                var (g, r) = ControlEdits.Images(generator, edited);
                var file = Path.Combine(outDir, $"resample_{factorName}.png");
                ImageIO.SavePng(file, ImageGrid.Make(cat(new[] { g, r }, 0), count));
                stdout.WriteLine($"{count} faces, only {factorName} redrawn (generated above, rendered below) -> {file}");
            }
            if (parse.GetValue(sweep) is { } name)
            {
                int count = CliValues.Int(parse, frames, 2, 256);
                var swept = ControlEdits.Sweep(code, name, count);
                var (g, r) = ControlEdits.Images(generator, swept);
                var pairs = Enumerable.Range(0, count).Select(k => cat(new[] { g[k], r[k] }, 2)).ToList();
                var file = Path.Combine(outDir, $"sweep_{name}.gif");
                GifWriter.Save(file, pairs, 120);
                stdout.WriteLine($"{count} frames of {name} (generated | rendered) -> {file}");
            }
            return 0;
        }));
        return cmd;
    }
}
