using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Evaluation;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.Projection;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan lift-photo`: project a user's photo into the teacher (StyleGAN2's projector) and lift it; and
/// `liftedgan eval projection`: the same route on procedural-world faces scored against exact truth.
/// </summary>
internal static class LiftPhotoCommand
{
    /// <summary>The projection's options, shared by both commands.</summary>
    sealed class ProjectionOptions
    {
        public readonly Option<string> Checkpoint = new("--ckpt") { Description = "Lift checkpoint (checkpoint_NNN.pth with liftedgan_config.json beside it, or packed).", Required = true };
        public readonly Option<string> StyleGan = new("--stylegan") { Description = "The teacher StyleGAN2 checkpoint the lift was trained on (the photo is projected into it).", Required = true };
        public readonly Option<int> Steps;
        public readonly Option<string> Space = new("--space") { Description = "w: one style for every layer (what the lift takes); wplus: one per layer, the lift gets their mean.", DefaultValueFactory = _ => "w" };
        public readonly Option<double> Lr = new("--lr") { Description = "Peak Adam learning rate of the projection (official 0.1; ramped up over 5 %, down over the last 25 % of the steps).", DefaultValueFactory = _ => 0.1 };
        public readonly Option<double> PixelWeight = new("--pixel-weight") { Description = "Weight of the pixel term beside the perceptual distance (weight 1); 0 drops it.", DefaultValueFactory = _ => 1.0 };
        public readonly Option<string> PixelLoss = new("--pixel-loss") { Description = "The pixel term: l1 or mse (images in [-1, 1]).", DefaultValueFactory = _ => "l1" };
        public readonly Option<long> Seed = new("--seed") { Description = "Seed of the latents averaged for the mean style and of the noise on w.", DefaultValueFactory = _ => 1 };
        public readonly Option<string?> Vgg = new("--vgg") { Description = "torchvision VGG16 weights for the perceptual distance (else a documented random-feature substitute, said in the output)." };

        public ProjectionOptions(int defaultSteps)
        {
            Steps = new Option<int>("--steps") { Description = "Projection (optimisation) steps.", DefaultValueFactory = _ => defaultSteps };
        }

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Checkpoint, StyleGan, Steps, Space, Lr, PixelWeight, PixelLoss, Seed, Vgg }) command.Options.Add(o);
        }

        public ProjectionSettings Settings(ParseResult parse) => new()
        {
            Steps = CliValues.Int(parse, Steps, 1, 100_000),
            Space = parse.GetValue(Space) switch
            {
                "w" => LatentSpace.W,
                "wplus" => LatentSpace.WPlus,
                var other => throw new UsageException($"--space {other}: must be w or wplus"),
            },
            LearningRate = CliValues.Real("--lr", parse.GetValue(Lr), 0, 10, minOpen: true),
            PixelWeight = CliValues.Real("--pixel-weight", parse.GetValue(PixelWeight), 0, 1e6),
            Pixel = parse.GetValue(PixelLoss) switch
            {
                "l1" => PixelDistance.L1,
                "mse" => PixelDistance.Mse,
                var other => throw new UsageException($"--pixel-loss {other}: must be l1 or mse"),
            },
            Seed = parse.GetValue(Seed),
        };

        /// <summary>The perceptual distance at the lift's size, its description, and whether it is the substitute.</summary>
        public (PerceptualLoss Loss, string Description, bool Substitute) Perceptual(ParseResult parse, int size)
        {
            if (parse.GetValue(Vgg) is { } path)
                return (StyleProjector.Loss(PretrainedNetworks.LoadVgg16(path), size), $"VGG16 ({Path.GetFileName(path)})", false);
            return (StyleProjector.Loss(Vgg16Features.RandomFeatures(0), size), PhotoLift.SubstituteDescription, true);
        }
    }

    public static Command Create()
    {
        var photo = new Argument<string>("photo") { Description = "The photo (PNG or JPEG) of one face, roughly centred; grey photos are read as three equal channels." };
        var options = new ProjectionOptions(defaultSteps: 300);
        var output = new Option<string>("--out") { Description = "Output folder (images, GIFs, mesh, style.npy, report.json).", DefaultValueFactory = _ => "lifted_photo" };
        var crop = new Option<string>("--crop") { Description = "centre: the photo's centred square; lfw: LFW's fixed centred 150 px box of a 250 x 250 LFW photo.", DefaultValueFactory = _ => "centre" };
        var saveEvery = new Option<int>("--save-every") { Description = "Also write the projection's image every N steps to progress/ (0: never).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("lift-photo",
            "Lift a photo: project it into the teacher (StyleGAN2's projector: w from the mean style, perceptual + pixel loss, stored noise), " +
            "then the lift gives its depth, normals, a yaw rotation, a light sweep and a mesh; report.json holds the reconstruction errors.")
        {
            photo, output, crop, saveEvery,
        };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var settings = options.Settings(parse);
            var cut = parse.GetValue(crop) switch
            {
                "centre" or "center" => PhotoCrop.Centre,
                "lfw" => PhotoCrop.Lfw,
                var other => throw new UsageException($"--crop {other}: must be centre or lfw"),
            };
            int every = CliValues.Int(parse, saveEvery, 0, 100_000);
            string path = parse.GetValue(photo)!, outDir = parse.GetValue(output)!;
            if (!File.Exists(path)) throw new UsageException($"PHOTO {path}: {(Directory.Exists(path) ? "is a folder, not a photo" : "does not exist")}");
            using var sampler = LiftedSampler.Open(parse.GetValue(options.Checkpoint)!, parse.GetValue(options.StyleGan)!);
            var (loss, description, substitute) = options.Perceptual(parse, sampler.ImageSize);
            using (loss)
            {
                if (substitute) stdout.WriteLine("note: no VGG16 weights given: the perceptual distance is the random-feature substitute (see report.json)");
                PhotoLiftReport report;
                try
                {
                    report = PhotoLift.Run(sampler, path, cut, settings, loss, description, substitute, outDir, step =>
                    {
                        if ((step.Step + 1) % 50 == 0) stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step.Step + 1}/{settings.Steps}: loss {step.Loss:F4}"));
                    }, every);
                }
                catch (PhotoException e)
                {
                    throw new UsageException($"PHOTO {e.Path}: {e.Problem}" + (cut == PhotoCrop.Lfw && e.Problem.Contains("LFW crop") ? " (--crop centre)" : ""), e);
                }
                foreach (var line in report.SummaryLines()) stdout.WriteLine(line);
                stdout.WriteLine($"wrote {report.Files.Count} files -> {outDir}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>`liftedgan eval projection`.</summary>
    public static Command CreateEval()
    {
        var options = new ProjectionOptions(defaultSteps: 200);
        var n = new Option<int>("--n") { Description = "Procedural-world faces projected.", DefaultValueFactory = _ => 16 };
        var worldSeed = new Option<long>("--eval-seed") { Description = "Seed of the world's faces.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Faces projected together (each has its own w and loss).", DefaultValueFactory = _ => 16 };
        var json = new Option<string?>("--save-json") { Description = "Also write the result as JSON to this file." };
        var cmd = new Command("projection",
            "The lift-photo route where the answer is known: procedural-world faces (not teacher samples) projected into a world-fit teacher and lifted; " +
            "reconstruction beside the mean style, the lift's depth and pose against exact truth beside the constant answers.")
        {
            n, worldSeed, batch, json,
        };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var settings = options.Settings(parse);
            int count = CliValues.Int(parse, n, 2, 100_000), b = CliValues.Int(parse, batch, 1, 4096);
            using var model = LiftedCheckpoint.Open(parse.GetValue(options.Checkpoint)!, parse.GetValue(options.StyleGan)!);
            var (loss, description, _) = options.Perceptual(parse, model.Config.ImageSize);
            using (loss)
            {
                var r = ProjectionTruthProtocol.Evaluate(model, loss, settings, count, parse.GetValue(worldSeed), b, stdout.WriteLine);
                Print(stdout, r, description);
                if (parse.GetValue(json) is { } path)
                    AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new
                    {
                        command = CliValues.CommandLine(parse), r.Faces, r.Seed, settings = r.Settings, perceptual = description, r.Reconstruction,
                        depth = r.Depth, canonical_correlation = r.CanonicalCorrelation, seconds = r.Seconds,
                    }, new JsonSerializerOptions
                    {
                        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
                        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
                    }));
            }
            return 0;
        }));
        return cmd;
    }

    static void Print(TextWriter o, ProjectionTruthResult r, string perceptual)
    {
        string F(double v, string format = "F4") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
        o.WriteLine($"{r.Faces} procedural-world faces (seed {r.Seed}), projected in {(r.Settings.Space == LatentSpace.W ? "W" : "W+")} with {r.Settings.Steps} steps ({F(r.Seconds, "F0")} s)");
        o.WriteLine($"perceptual distance: {perceptual}");
        o.WriteLine("reconstruction of the world's images         L1       perceptual");
        foreach (var s in r.Reconstruction) o.WriteLine($"  {s.Method,-42} {F(s.L1),7}  {F(s.Perceptual),9}");
        o.WriteLine("depth and pose against exact truth           SIDE     MAD°    z-depth   yaw°    pitch°   roll°   canon. r");
        foreach (var s in r.Depth)
        {
            string corr = r.CanonicalCorrelation.TryGetValue(s.Method, out var c) ? F(c, "F3") : "—";
            o.WriteLine($"  {s.Method,-42} {F(s.Side),7}  {F(s.Mad, "F2"),6}  {F(s.NormalizedDepth, "F3"),7}  {F(s.Yaw?.MeanAbs ?? double.NaN, "F2"),6}  {F(s.Pitch?.MeanAbs ?? double.NaN, "F2"),6}  {F(s.Roll?.MeanAbs ?? double.NaN, "F2"),6}  {corr,7}");
        }
    }
}
