using System.CommandLine;
using System.Globalization;
using LiftedGan.Control;
using LiftedGan.Evaluation;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan eval`: FID/KID, 3D accuracy (Table 2), pose and identity evaluation.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate generators: FID/KID, 3D accuracy, pose and identity.") { CreateFid() };
        foreach (var c in EvalCommands3d.Create()) eval.Subcommands.Add(c);
        foreach (var c in EvalCommandsStudy.Create()) eval.Subcommands.Add(c);
        return eval;
    }

    static Command CreateFid()
    {
        const string sourceHelp = "Folder of images | stylegan:CKPT | control:CKPT | synth:SIZE | stats:FILE (our .safetensors statistics or the official .pkl).";
        var a = new Option<string>("--a") { Description = "First source. " + sourceHelp, Required = true };
        var b = new Option<string>("--b") { Description = "Second source. " + sourceHelp, Required = true };
        var n = new Option<int>("--n") { Description = "Samples per image source (official protocol: 50000; fewer than 2048 gives a warning).", DefaultValueFactory = _ => 50000 };
        var inception = new Option<string?>("--inception")
        {
            Description = "Inception weights: pt_inception-2015-12-05-6726825d.pth (FID layout) or torchvision's inception_v3. " +
                "Without it a substitute (FID Inception architecture with deterministic hashed weights) is used and reported as FID(hashed-inception).",
        };
        var batch = new Option<int>("--batch") { Description = "Images per Inception call.", DefaultValueFactory = _ => 16 };
        var seed = new Option<long>("--seed") { Description = "Seed of a's random sources (b uses seed + 1).", DefaultValueFactory = _ => 0 };
        var cache = new Option<string?>("--cache")
        {
            Description = "Folder for cached statistics (keyed by source, seed, network and count; default: liftedgan/fid-stats in the user's local application data folder).",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Neither read nor write cached statistics." };
        var save = new Option<string?>("--save-a") { Description = "Also write side a's statistics to this .safetensors file (usable later as stats:FILE)." };
        var glob = new Option<string?>("--glob")
        {
            Description = "Folder sources: read only files whose path relative to the folder matches (e.g. '?????.png', '**/*.jpg'). " +
                          "Without it a folder's manifest.txt (written by generate, stylegan generate and demo) names the images, else all PNG/JPEG files are read.",
        };
        var cmd = new Command("fid", "FID and KID between two sources (Inception pool3 features, images resized to 299).")
        {
            a, b, n, inception, batch, seed, cache, noCache, save, glob,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var options = new EvalOptions
            {
                Count = parse.GetValue(n),
                Batch = parse.GetValue(batch),
                Seed = parse.GetValue(seed),
                CacheFolder = parse.GetValue(noCache) ? null : parse.GetValue(cache) ?? DefaultCache(),
                FolderGlob = parse.GetValue(glob),
            };
            if (options.Count < 2) throw new UsageException($"--n {options.Count}: must be at least 2");
            using var eval = new FidEvaluation(parse.GetValue(inception), options, line => stdout.WriteLine(line));
            using var setA = Resolve(eval, parse.GetValue(a)!, options.Seed, "a");
            using var setB = Resolve(eval, parse.GetValue(b)!, options.Seed + 1, "b");
            if (parse.GetValue(save) is { } savePath)
            {
                StatisticsCache.Save(savePath, setA);
                stdout.WriteLine($"a: statistics written to {savePath}");
            }
            var result = eval.Compare(setA, setB);
            foreach (var w in result.Warnings) stdout.WriteLine($"warning: {w}");
            stdout.WriteLine($"a: {result.DescriptionA} (N={result.CountA})");
            stdout.WriteLine($"b: {result.DescriptionB} (N={result.CountB})");
            stdout.WriteLine($"{result.FidLabel}: {result.Fid.ToString("F4", CultureInfo.InvariantCulture)}");
            if (result.KidMean is { } km)
                stdout.WriteLine($"{result.KidLabel}: {km.ToString("F6", CultureInfo.InvariantCulture)} ± {result.KidStd!.Value.ToString("F6", CultureInfo.InvariantCulture)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>A source spec's statistics; control:CKPT (a control generator's samples) here, every other kind by <see cref="FidEvaluation.Resolve"/>.</summary>
    static EvalSet Resolve(FidEvaluation eval, string spec, long seed, string side)
    {
        if (!spec.StartsWith("control:", StringComparison.Ordinal)) return eval.Resolve(spec, seed, side);
        using var source = new ControlImageSource(spec["control:".Length..]);
        return eval.Measure(source, seed, side);
    }

    /// <summary>The cache folder when none is given: liftedgan/fid-stats in the user's local application data.</summary>
    static string DefaultCache() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "liftedgan", "fid-stats");
}
