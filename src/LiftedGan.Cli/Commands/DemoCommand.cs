using LiftedGan.StyleGan2;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LiftedGan.Demo;
using LiftedGan.Lifting;
using LiftedGan.Packing;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan demo`: the shipped models' results (faces, maps, rotations, relighting, side views, interpolation,
/// meshes) and a short live lift, all on one static page; then where the results are and what to run next.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Results folder.", DefaultValueFactory = _ => DemoRun.DefaultFolder };
        var models = new Option<string?>("--models") { Description = $"Folder of the shipped models (default: ${ShippedModels.EnvironmentVariable}, else the models folder beside the program)." };
        var liftSteps = new Option<int>("--steps") { Description = "Training steps of the short lift.", DefaultValueFactory = _ => DemoLift.DefaultSteps };
        var liftBatch = new Option<int>("--batch") { Description = "Batch of the short lift (the synth_64 preset's 8).", DefaultValueFactory = _ => LiftingConfig.Synth64.BatchSize };
        var seed = new Option<long>("--seed") { Description = "Seed of the faces and of the short lift.", DefaultValueFactory = _ => 1 };
        var cmd = new Command("demo", "Load the shipped models, write a results folder (grids, GIFs, maps, meshes, index.html) and train a short lift live.")
        {
            output, models, liftSteps, liftBatch, seed,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string outDir = parse.GetValue(output)!;
            int steps = parse.GetValue(liftSteps);
            long s = parse.GetValue(seed);
            var liftConfig = DemoLift.Config(steps, parse.GetValue(liftBatch), s);
            var shipped = Locate(parse.GetValue(models));
            DemoRun.PrepareFolder(outDir);
            stdout.WriteLine($"models: {shipped.Folder}");

            var clock = Stopwatch.StartNew();
            IReadOnlyList<DemoSection> sections;
            double psi;
            using (var sampler = LiftedSampler.Open(shipped.Lift, shipped.StyleGan))
            {
                psi = sampler.Model.Config.Truncation;
                using var z = sampler.RandomLatents(DemoRun.Faces, s);
                bool truth = StyleGanCheckpoint.ReadObjective(shipped.StyleGan) == TrainObjective.WorldFit;
                sections = DemoGallery.Write(sampler, z, psi, outDir, step => stdout.WriteLine($"writing {step}"), truth,
                    $"pass --latents {DemoGallery.LatentsFileName} to any sampling command to replay them bit for bit.");
                stdout.WriteLine("writing the 3D viewer");
                sections = sections.Append(DemoRun.WriteViewer(sampler, s, psi, outDir)).ToList();
            }
            if (shipped.HasRealFaces)
                sections = sections.Concat(DemoRealFaces.Write(shipped, s, outDir, step => stdout.WriteLine($"writing {step}"))).ToList();
            else
                stdout.WriteLine($"no real-face models ({ShippedModels.RealStyleGanFile}, {ShippedModels.RealLiftFile}) in {shipped.Folder}: the page shows the procedural faces only");
            double gallerySeconds = clock.Elapsed.TotalSeconds;

            stdout.WriteLine($"training a short lift of the shipped StyleGAN2 ({steps} steps of batch {liftConfig.BatchSize}) -> {Path.Combine(outDir, DemoLift.FolderName)}");
            DemoLiftResult? lift = null;
            TrainingProgress.Run(stdout, "lift", steps, 0, report =>
                lift = DemoLift.Run(shipped, Path.Combine(outDir, DemoLift.FolderName), liftConfig, note => stdout.WriteLine($"note: {note}"),
                    p => report(p.Step, string.Create(CultureInfo.InvariantCulture,
                        $"lift {p.Step}/{p.TotalSteps} {p.StepsPerSecond:F2} it/s total {p.Losses["total"]:F3} rec {p.Losses["reconstruction"]:F3}"))));

            var all = sections.Append(DemoLift.Section(lift!, outDir, LiftCommand(shipped))).ToList();
            var facts = DemoRun.Facts(shipped, s, psi, gallerySeconds, lift!, TorchSharp.torch.get_num_threads());
            var next = NextSteps(shipped, outDir);
            string page = DemoPage.Write(outDir, "LiftedGan.NET demo", facts, all, next);
            DemoPage.CheckReferences(page);

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed.TotalSeconds:F0} s. Results: {Path.GetFullPath(outDir)}"));
            stdout.WriteLine($"open {Path.GetFullPath(page)}");
            stdout.WriteLine("what to run next:");
            foreach (var line in next) stdout.WriteLine("  " + line);
            return 0;
        }));
        return cmd;
    }

    /// <summary>The shipped models; a missing one is a one-line error that says how to choose the folder or make the file.</summary>
    static ShippedModels Locate(string? folder)
    {
        try { return ShippedModels.Locate(folder); }
        catch (ShippedModelException e)
        {
            var models = ShippedModels.In(e.Part == ShippedModelPart.Folder ? e.Path : Path.GetDirectoryName(e.Path)!);
            string hint = e.Part switch
            {
                ShippedModelPart.Folder => $"Pass --models DIR or set {ShippedModels.EnvironmentVariable}.",
                ShippedModelPart.StyleGan => "Make it with: liftedgan stylegan train --objective world-fit --size 64 --style-dim 128 --n-mlp 4 --out sg64 (see models/README.md), " +
                                             $"then liftedgan pack sg64/checkpoint/NNNNNN.pt --fp16 --out {models.StyleGan}",
                ShippedModelPart.Lift => $"Make it with: liftedgan lift --stylegan {models.StyleGan} --preset synth_64 --face-embedding {models.Identity} --out lift64, " +
                                         $"then liftedgan pack lift64/checkpoint_NNN.pth --fp16 --out {models.Lift}",
                _ => $"Make it with: liftedgan identity train --out identity.pt --size 64 (see models/README.md), then liftedgan pack identity.pt --fp16 --out {models.Identity}",
            };
            throw new UsageException($"{e.Message}. {hint}", e);
        }
    }

    /// <summary>The command of a full lift of the shipped teacher.</summary>
    static string LiftCommand(ShippedModels models) =>
        $"liftedgan lift --stylegan {Quote(models.StyleGan)} --preset synth_64 --face-embedding {Quote(models.Identity)} --out my-lift";

    /// <summary>Commands to try after the demo (open the page, sample more, train a full lift).</summary>
    static IReadOnlyList<string> NextSteps(ShippedModels models, string outDir)
    {
        string common = $"--ckpt {Quote(models.Lift)} --stylegan {Quote(models.StyleGan)}";
        string z = Quote(Path.Combine(outDir, DemoGallery.LatentsFileName));
        return new[]
        {
            $"xdg-open {Quote(Path.Combine(outDir, DemoPage.FileName))}        # the results page",
            "liftedgan view        # the interactive 3D viewer of any seed, served on localhost",
            $"liftedgan rotate {common} --latents {z} --axis pitch --out my-rotations",
            $"liftedgan export-mesh {common} --n 4 --seed 7 --out my-meshes",
            "liftedgan rotate --help        # also: generate, relight, sideview, interpolate, compare",
            LiftCommand(models) + $"        # a full lift ({LiftingConfig.Synth64.Epochs * LiftingConfig.Synth64.StepsPerEpoch} steps)",
        };
    }

    /// <summary>A path as one shell word.</summary>
    static string Quote(string path) => path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '&' or ';') ? $"'{path.Replace("'", "'\\''")}'" : path;
}
