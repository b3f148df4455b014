using System.CommandLine;
using LiftedGan.Imaging;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan compare`: the same latents through two lift checkpoints, side by side.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_compare");
        var ckpts = new Option<string[]>("--ckpt") { Description = "Two lift checkpoints (give --ckpt twice).", Required = true, Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("compare", "The same latents through two lift checkpoints: rows of [teacher, lifted A, depth A, lifted B, depth B].") { ckpts };
        options.AddTo(cmd, withCheckpoint: false);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var paths = parse.GetValue(ckpts)!;
            if (paths.Length != 2) throw new UsageException($"--ckpt: give exactly two lift checkpoints, got {paths.Length}");
            using var a = options.Open(parse, paths[0]);
            using var b = options.Open(parse, paths[1]);
            var (z, psi, outDir) = options.Resolve(parse, a);
            long count = z.shape[0];
            using (z)
            using (var rows = LiftedSampler.Compare(a, b, z, psi))
            using (var grid = ImageGrid.Make(rows.flatten(0, 1), columns: (int)rows.shape[1]))
                ImageIO.SavePng(Path.Combine(outDir, "compare.png"), grid);
            stdout.WriteLine($"compared {count} latents: {paths[0]} vs {paths[1]} -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
