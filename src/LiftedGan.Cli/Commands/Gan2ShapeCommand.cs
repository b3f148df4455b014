using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Baselines.Gan2Shape;
using LiftedGan.Evaluation;
using LiftedGan.Export;
using LiftedGan.Projection;
using LiftedGan.Imaging;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using LiftedGan.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan gan2shape fit | truth`: the GAN2Shape baseline (Pan et al. 2021), a per-instance fit on teacher samples.</summary>
internal static class Gan2ShapeCommand
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create() => new("gan2shape", "GAN2Shape baseline: per-image 3D reconstruction of a StyleGAN2 sample (ellipsoid prior, pseudo samples, GAN projection).")
    {
        Fit(), Truth(), Pretrain(),
    };

    /// <summary>The joint schedule of a preset name (cpu or official).</summary>
    internal static Gan2ShapeConfig JointPreset(string name, long seed) => name switch
    {
        "cpu" => Gan2ShapeConfig.CpuJoint with { Seed = seed },
        "official" => Gan2ShapeConfig.OfficialJoint with { Seed = seed },
        _ => throw new UsageException($"--preset {name}: use cpu or official"),
    };

    internal static Option<string?> InitOption() => new("--init")
    {
        Description = "A joint pre-training (gan2shape pretrain, e.g. models/gan2shape_joint64.pth) every fit starts from, as the official face runs do " +
                      "(no ellipsoid fit then); its network sizes must be the preset's. Without it, fresh networks fitted to the ellipsoid prior.",
    };

    /// <summary>The joint pre-training of --init, or null.</summary>
    internal static Gan2ShapeWeights? Init(string? path) => path is null ? null : Gan2ShapeWeights.Load(path);

    internal static Option<string> PresetOption() => new("--preset")
    {
        Description = "Schedule and sizes: cpu (reduced: narrow networks, 2 short stages) or official (4 stages of 600/600/400 then 200/500/300 iterations).",
        DefaultValueFactory = _ => "cpu",
    };

    internal static Gan2ShapeConfig Preset(string name, long seed) => name switch
    {
        "cpu" => Gan2ShapeConfig.Cpu with { Seed = seed },
        "official" => Gan2ShapeConfig.Official with { Seed = seed },
        _ => throw new UsageException($"--preset {name}: use cpu or official"),
    };

    internal static PerceptualLoss Perceptual(string? vggPath, long seed)
    {
        if (vggPath is not null) return Gan2ShapeLosses.Perceptual(PretrainedNetworks.LoadVgg16(vggPath));
        AnsiConsole.MarkupLine("[yellow]warning:[/] no VGG16 weights: the perceptual terms use the documented substitute (VGG16 with fixed random He-initialised features)");
        return Gan2ShapeLosses.Perceptual(Vgg16Features.RandomFeatures(seed));
    }

    internal static Option<string?> ParserOption() => new("--parser")
    {
        Description = "A pose-and-depth estimator (eval train-estimator) whose foreground mask stands in for the official face parser: the ellipsoid prior " +
                      "is placed on that mask's box (official face adjustment). Without it, on the whole image.",
    };

    /// <summary>The object box of --parser, or null (the whole image).</summary>
    internal static Func<Tensor, PixelBox>? ParserBox(string? path) => path is null ? null : Gan2ShapeTruthSubject.ParserBox(PoseDepthTraining.Load(path));

    internal static StyleGenerator LoadTeacher(string path, int size)
    {
        if (!File.Exists(path)) throw new Gan2ShapeException(path, "StyleGAN2 checkpoint not found");
        var teacher = StyleGanCheckpoint.LoadGenerator(path);
        teacher.eval();
        if (teacher.Config.Size != size)
        {
            int s = teacher.Config.Size;
            teacher.Dispose();
            throw new Gan2ShapeException(path, $"renders {s} px images; GAN2Shape here works at {size} px");
        }
        return teacher;
    }

    static Command Fit()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher StyleGAN2 whose samples (or projections of --images) are reconstructed (64 px).", Required = true };
        var n = new Option<int>("--n") { Description = "Samples (z ~ N(0, I) from --seed, truncation 1, stored noise); ignored with --data.", DefaultValueFactory = _ => 4 };
        var images = new Option<string?>("--data")
        {
            Description = "A folder of face images (PNG/JPEG, not searched recursively, in name order) to reconstruct instead of samples: each is projected into " +
                          "the teacher (StyleGAN2's projector in W, the random-feature perceptual distance unless --vgg) for the w the pseudo samples are projected " +
                          "around, and the fit reconstructs the image itself.",
        };
        var crop = new Option<string>("--crop") { Description = "With --data: centre (the image's centred square) or lfw (LFW's centred 150 px box).", DefaultValueFactory = _ => "centre" };
        var projectionSteps = new Option<int>("--projection-steps") { Description = "With --data: steps of the projection into the teacher.", DefaultValueFactory = _ => 300 };
        var output = new Option<string>("--out")
        {
            Description = "Output folder: per sample its image, reconstruction, depth, normals, yaw and pitch sweeps, relighting grid (PNG) and mesh (GLB); result.json.",
            Required = true,
        };
        var preset = PresetOption();
        var seed = new Option<long>("--seed") { Description = "Seed of the samples, the networks' initialisation and each fit's sampling.", DefaultValueFactory = _ => 1 };
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for the perceptual terms (else a documented substitute)." };
        var parser = ParserOption();
        var init = InitOption();
        var cmd = new Command("fit", "Fit GAN2Shape to teacher samples or to images one by one and write depth, normals, re-renders under other views and lights, a mesh and result.json.")
        {
            stylegan, n, images, crop, projectionSteps, output, preset, seed, vgg, parser, init,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            long runSeed = parse.GetValue(seed);
            var config = Preset(parse.GetValue(preset)!, runSeed);
            string? folder = parse.GetValue(images);
            var files = folder is null ? null : ImageFiles(folder);
            var cut = parse.GetValue(crop) switch
            {
                "centre" or "center" => PhotoCrop.Centre,
                "lfw" => PhotoCrop.Lfw,
                var other => throw new UsageException($"--crop {other}: must be centre or lfw"),
            };
            int count = files?.Count ?? CliValues.Int(parse, n, 1, 100000);
            int steps = CliValues.Int(parse, projectionSteps, 1, 100000);
            string outDir = parse.GetValue(output)!;
            using var teacher = LoadTeacher(parse.GetValue(stylegan)!, config.ImageSize);
            using var perceptual = Perceptual(parse.GetValue(vgg), runSeed);
            var objectBox = ParserBox(parse.GetValue(parser));
            using var start = Init(parse.GetValue(init));
            using var projectionLoss = files is null ? null
                : StyleProjector.Loss(parse.GetValue(vgg) is { } v ? PretrainedNetworks.LoadVgg16(v) : Vgg16Features.RandomFeatures(0), config.ImageSize);
            using var projector = projectionLoss is null ? null : new StyleProjector(teacher, projectionLoss, new ProjectionSettings { Steps = steps, Seed = runSeed });
            Directory.CreateDirectory(outDir);
            var samples = new List<object>();
            using var g = new Generator((ulong)runSeed);
            var inv = CultureInfo.InvariantCulture;
            var c = config.ModelConfig;
            for (int i = 0; i < count; i++)
            {
                using var scope = NewDisposeScope();
                Tensor w;
                Tensor? target = null;
                double? projectionL1 = null;
                PixelBox? box = null;
                if (files is not null)
                {
                    Tensor photo;
                    try { photo = PhotoInput.Load(files[i], config.ImageSize, cut).unsqueeze(0); }
                    catch (PhotoException e) { throw new UsageException($"--data {e.Path}: {e.Problem}", e); }
                    using var found = projector!.Project(photo);
                    w = found.Style.clone();
                    target = photo;
                    projectionL1 = (found.Image - photo).abs().mean().item<float>();
                }
                else
                {
                    using (no_grad()) w = teacher.Map(randn([1, teacher.Config.StyleDim], generator: g));
                }
                if (objectBox is not null)
                    using (no_grad())
                        box = objectBox(target ?? teacher.Generate([w], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1));
                var sw = Stopwatch.StartNew();
                using var instance = new Gan2ShapeInstance(config, teacher, w, perceptual, StepRandomness.GoldenSeed((ulong)runSeed, i), box, start, target);
                var history = instance.Run(step => stdout.WriteLine($"sample {i}: {step}"));
                using var o = Gan2ShapeOutputs.Of(instance);
                string name = files is null ? $"sample_{i:D3}" : $"{i:D3}_{Path.GetFileNameWithoutExtension(files[i])}";
                string Out(string suffix) => Path.Combine(outDir, $"{name}_{suffix}");
                ImageIO.SavePng(Out("image.png"), o.Image[0]);
                ImageIO.SavePng(Out("render.png"), o.Reconstruction[0]);
                // Depth: near bright, the depth range [min, max] mapped to [1, −1].
                ImageIO.SavePng(Out("depth.png"), ((c.MaxDepth + c.MinDepth - 2 * o.CanonicalDepth[0]) / (c.MaxDepth - c.MinDepth)).clamp(-1, 1));
                ImageIO.SavePng(Out("normal.png"), o.Normals[0].permute(2, 0, 1));
                ImageIO.SavePng(Out("yaw.png"), ImageGrid.Make(Gan2ShapeRenders.YawSweep(instance), columns: Gan2ShapeRenders.Yaws.Count));
                ImageIO.SavePng(Out("pitch.png"), ImageGrid.Make(Gan2ShapeRenders.PitchSweep(instance), columns: Gan2ShapeRenders.Pitches.Count));
                ImageIO.SavePng(Out("relight.png"), ImageGrid.Make(Gan2ShapeRenders.Relight(instance), columns: 10));
                using (var d = instance.CurrentDecomposition())
                    GltfWriter.Save(Out("mesh.glb"), MeshBuilder.Build(instance.Model.Renderer, d.Depth[0], d.Albedo[0]));
                var angles = o.Angles[0].data<float>().ToArray();
                double Last(string step) => history.LastOrDefault(h => h.Step == step)?.Loss ?? double.NaN;
                samples.Add(new
                {
                    name, source = files?[i], projection_l1 = projectionL1, seconds = sw.Elapsed.TotalSeconds, pitch = angles[0], yaw = angles[1], roll = angles[2],
                    prior_box = new { top = instance.Box.Top, bottom = instance.Box.Bottom, left = instance.Box.Left, right = instance.Box.Right },
                    prior_loss = Last("prior"), step1_loss = Last("step1"), step2_loss = Last("step2"), step3_loss = Last("step3"),
                });
                stdout.WriteLine(string.Create(inv, $"{name}: {sw.Elapsed.TotalSeconds:F0} s, yaw {angles[1]:F1}°, pitch {angles[0]:F1}°, roll {angles[2]:F1}°, step-3 loss {Last("step3"):F4}")
                                 + (projectionL1 is { } l1 ? string.Create(inv, $", projection L1 {l1:F4}") : ""));
            }
            var result = new
            {
                preset = parse.GetValue(preset), seed = runSeed, images = folder, parser = parse.GetValue(parser), init = start?.Origin,
                yaw_sweep_degrees = Gan2ShapeRenders.Yaws, pitch_sweep_degrees = Gan2ShapeRenders.Pitches,
                relight = Gan2ShapeRenders.Relights.Select(l => new { dx = l.Dx, dy = l.Dy, r = l.R }),
                config = JsonDocument.Parse(config.ToJson()).RootElement, samples,
            };
            AtomicFile.WriteAllBytes(Path.Combine(outDir, "result.json"), System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(result, Indented) + "\n"));
            stdout.WriteLine($"-> {outDir}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The PNG and JPEG files of a folder (not recursive), in ordinal name order; a usage error when there are none.</summary>
    internal static IReadOnlyList<string> ImageFiles(string folder)
    {
        if (!Directory.Exists(folder)) throw new UsageException($"--data {folder}: no such folder");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg")
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new UsageException($"--data {folder}: no PNG or JPEG files in it");
    }

    static Command Truth()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher: a world-fit StyleGAN2 (stylegan train --objective world-fit), 64 px.", Required = true };
        var n = new Option<int>("--n") { Description = "Samples scored (each gets a whole fit).", DefaultValueFactory = _ => 8 };
        var preset = PresetOption();
        var seed = new Option<long>("--seed") { Description = "Seed of the networks' initialisation and each fit's sampling.", DefaultValueFactory = _ => 1 };
        var evalSeed = new Option<long>("--eval-seed") { Description = "Seed of the scored latents (as eval truth --seed).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Samples scored per protocol batch (fits run one by one).", DefaultValueFactory = _ => 4 };
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for the perceptual terms (else a documented substitute)." };
        var json = new Option<string?>("--save-json") { Description = "Also write the result as JSON to this file." };
        var parser = ParserOption();
        var init = InitOption();
        var cmd = new Command("truth", "Exact-truth errors of GAN2Shape on a world-fit teacher's samples (a per-instance fit on each), printed as eval truth prints them.")
        {
            stylegan, n, preset, seed, evalSeed, batch, vgg, json, parser, init,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacherPath = parse.GetValue(stylegan)!;
            if (File.Exists(teacherPath) && StyleGanCheckpoint.ReadObjective(teacherPath) != TrainObjective.WorldFit)
                throw new EvaluationException(teacherPath, "not a world-fit teacher (its args do not say objective world_fit): its samples have no exact truth");
            long runSeed = parse.GetValue(seed);
            var config = Preset(parse.GetValue(preset)!, runSeed);
            using var teacher = LoadTeacher(teacherPath, config.ImageSize);
            using var perceptual = Perceptual(parse.GetValue(vgg), runSeed);
            using var start = Init(parse.GetValue(init));
            var sw = Stopwatch.StartNew();
            var subject = new Gan2ShapeTruthSubject(teacher, config, perceptual, (i, step) => stdout.WriteLine($"sample {i}: {step}"),
                ParserBox(parse.GetValue(parser)), start);
            var r = ExactTruthProtocol.Evaluate(teacher, subject, null, CliValues.Int(parse, n, 2, 100000), parse.GetValue(evalSeed), CliValues.Int(parse, batch, 1, 4096));
            EvalCommands3d.PrintTruth(stdout, r);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{subject.Scored} fits in {sw.Elapsed.TotalSeconds:F0} s ({sw.Elapsed.TotalSeconds / Math.Max(1, subject.Scored):F0} s per image)"));
            var jsonPath = parse.GetValue(json);
            if (jsonPath is not null) AtomicFile.WriteAllBytes(jsonPath, System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(r, Indented) + "\n"));
            return 0;
        }));
        return cmd;
    }

    static Command Pretrain()
    {
        var stylegan = new Option<string>("--stylegan") { Description = "The teacher StyleGAN2 whose samples are fitted together (64 px).", Required = true };
        var n = new Option<int>("--n") { Description = "Samples fitted together (official 200).", DefaultValueFactory = _ => 200 };
        var output = new Option<string>("--out")
        {
            Description = "Run folder: checkpoint.pth after every stage (atomic), losses.csv; a folder holding a checkpoint resumes from it with its stored settings.",
            Required = true,
        };
        var preset = new Option<string>("--preset")
        {
            Description = "Schedule: cpu (the cpu fit's network sizes; 2 stages of 300/300/300 then 140/200/200, batch 4, 200 collect iterations) or " +
                          "official (celeba_pretrain: 4 stages of 1500/1500/1500 then 700/1000/1000, batch 8, 800 collect iterations).",
            DefaultValueFactory = _ => "cpu",
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed of the samples (z ~ N(0, I), truncation 1, stored noise), the networks and the image order; keep it apart from the seed you score " +
                          "(eval truth and eval compare draw seed 1).",
            DefaultValueFactory = _ => 1000,
        };
        var vgg = new Option<string?>("--vgg") { Description = "torchvision VGG16 weights for the perceptual terms (else a documented substitute)." };
        var parser = ParserOption();
        var cmd = new Command("pretrain", "GAN2Shape's joint pre-training for faces (one set of networks on many samples; resumable). Fits start from it with --init.")
        {
            stylegan, n, output, preset, seed, vgg, parser,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string teacherPath = parse.GetValue(stylegan)!, outDir = parse.GetValue(output)!;
            string checkpoint = Path.Combine(outDir, "checkpoint.pth");
            long runSeed = parse.GetValue(seed);
            var config = JointPreset(parse.GetValue(preset)!, runSeed);
            int count = CliValues.Int(parse, n, 2, 100000);
            using var teacher = LoadTeacher(teacherPath, config.ImageSize);
            string origin = RunOrigin.Of(teacherPath);
            using var perceptual = Perceptual(parse.GetValue(vgg), runSeed);
            Gan2ShapeJointTraining run;
            if (File.Exists(checkpoint))
            {
                run = Gan2ShapeJointTraining.Resume(checkpoint, teacher, perceptual, origin);
                stdout.WriteLine($"resuming {checkpoint}: {run.StagesDone}/{run.Config.Stages} stages done, {run.Instance.Count} samples (its stored settings)");
            }
            else
            {
                if (count > config.CollectIterations)
                    throw new UsageException($"--n {count}: at most the preset's collect iterations ({config.CollectIterations}), one pass per sample");
                using var g = new Generator((ulong)runSeed);
                Tensor styles;
                PixelBox? box = null;
                using (no_grad())
                {
                    styles = teacher.Map(randn([count, teacher.Config.StyleDim], generator: g));
                    if (ParserBox(parse.GetValue(parser)) is { } objectBox)
                        box = objectBox(teacher.Generate([styles.narrow(0, 0, 1)], new GenerateOptions { InputIsLatent = true, RandomizeNoise = false }).Image.clamp(-1, 1));
                }
                using (styles) run = new Gan2ShapeJointTraining(config, teacher, styles, perceptual, (ulong)runSeed, box, origin);
                Directory.CreateDirectory(outDir);
                stdout.WriteLine($"gan2shape joint pre-training: {count} samples of seed {runSeed}, {config.Stages} stages, batch {config.BatchSize} -> {outDir}");
            }
            using (run)
            {
                var inv = CultureInfo.InvariantCulture;
                run.Run(checkpoint, step => stdout.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {step}"), stage =>
                {
                    var losses = run.History.Where(h => h.Stage == stage - 1).GroupBy(h => h.Step);
                    foreach (var l in losses)
                        stdout.WriteLine(string.Create(inv, $"stage {stage}: {l.Key} loss {l.Take(10).Average(h => h.Loss):F4} -> {l.TakeLast(10).Average(h => h.Loss):F4} (means of first and last 10)"));
                    stdout.WriteLine(string.Create(inv, $"stage {stage}/{run.Config.Stages} done, {run.TrainSeconds / 60:F1} min; checkpoint {checkpoint}"));
                    var csv = new System.Text.StringBuilder("stage,step,iteration,loss\n");
                    foreach (var h in run.History) csv.Append(string.Create(inv, $"{h.Stage},{h.Step},{h.Iteration},{h.Loss:R}\n"));
                    AtomicFile.WriteAllBytes(Path.Combine(outDir, "losses.csv"), System.Text.Encoding.UTF8.GetBytes(csv.ToString()));
                });
                stdout.WriteLine($"done: {run.Config.Stages} stages in {run.TrainSeconds / 60:F1} min; fits start from it with --init {checkpoint}");
            }
            return 0;
        }));
        return cmd;
    }
}
