using System.CommandLine;
using LiftedGan.Cli.Hosting;
using LiftedGan.Lifting;
using LiftedGan.Packing;
using LiftedGan.Viewer;
using Microsoft.Extensions.Hosting;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// `liftedgan view`: the interactive 3D viewer of a lift (the shipped models unless --ckpt and --stylegan are given),
/// served on localhost with faces made on demand, or with --out written as a static page that opens from disk.
/// </summary>
internal static class ViewCommand
{
    /// <summary>Most faces a static page holds.</summary>
    public const int MaxStaticFaces = 64;

    public static Command Create()
    {
        var checkpoint = new Option<string?>("--ckpt") { Description = "Lift checkpoint (with --stylegan; default: the shipped lift, as `demo` uses)." };
        var styleGan = new Option<string?>("--stylegan") { Description = "The teacher StyleGAN2 checkpoint the lift was trained on (with --ckpt)." };
        var models = new Option<string?>("--models") { Description = $"Folder of the shipped models when --ckpt is not given (default: ${ShippedModels.EnvironmentVariable}, else the models folder beside the program)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the first face (a static page holds --seed, --seed + 1, ...).", DefaultValueFactory = _ => 1 };
        var truncation = new Option<double?>("--truncation") { Description = "ψ of w ← ψ·w + (1 - ψ)·w_mu (default: the lift's)." };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 to serve on (0: any free port).", DefaultValueFactory = _ => ViewerHost.DefaultPort };
        var output = new Option<string?>("--out") { Description = "Write a static page with --n faces into this folder instead of serving." };
        var faces = new Option<int>("--n") { Description = "Faces a static page holds (with --out).", DefaultValueFactory = _ => 4 };
        var cmd = new Command("view", "Interactive 3D viewer: the lifted face as a textured mesh to orbit, turn and relight, with OBJ/PLY/GLB downloads; served on localhost, or with --out a static page.")
        {
            checkpoint, styleGan, models, seed, truncation, port, output, faces,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string? lift = parse.GetValue(checkpoint), teacher = parse.GetValue(styleGan), outDir = parse.GetValue(output);
            if ((lift is null) != (teacher is null)) throw new UsageException("--ckpt and --stylegan go together (neither: the shipped models)");
            long first = CliValues.Long(parse, seed, 0, ViewerFaces.MaxSeed);
            int portNumber = CliValues.Int(parse, port, 0, 65535);
            int count = CliValues.Int(parse, faces, 1, MaxStaticFaces);
            if (parse.GetValue(truncation) is { } psiGiven) CliValues.Real("--truncation", psiGiven, 0, 1);
            if (lift is null)
            {
                var shipped = ShippedModels.Locate(parse.GetValue(models));
                (lift, teacher) = (shipped.Lift, shipped.StyleGan);
                stdout.WriteLine($"models: {shipped.Folder}");
            }

            using var sampler = LiftedSampler.Open(lift, teacher!);
            double psi = parse.GetValue(truncation) ?? sampler.Model.Config.Truncation;
            if (outDir is not null)
            {
                var seeds = Enumerable.Range(0, count).Select(i => first + i).Where(s => s <= ViewerFaces.MaxSeed).ToList();
                string page = ViewerSite.WriteStatic(sampler, seeds, psi, outDir, step => stdout.WriteLine($"writing {step}"));
                stdout.WriteLine($"wrote a static viewer of {seeds.Count} faces -> {Path.GetFullPath(outDir)}");
                stdout.WriteLine($"open {Path.GetFullPath(page)}");
                return 0;
            }

            string site = Directory.CreateTempSubdirectory("liftedgan-view").FullName;
            try
            {
                var session = new ViewerSession(sampler, psi, first, site);
                var (app, address) = ViewerHost.StartAsync(session, portNumber, parse.InvocationConfiguration.Error).GetAwaiter().GetResult();
                using (app)
                {
                    stdout.WriteLine($"serving the viewer at {address} (faces of any seed, made on demand; Ctrl+C stops)");
                    app.WaitForShutdownAsync().GetAwaiter().GetResult();
                }
            }
            finally { Directory.Delete(site, true); }
            return 0;
        }));
        return cmd;
    }
}
