using System.CommandLine;
using LiftedGan.Synthetic;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan synth`: writes a synthetic face dataset with exact ground truth (see docs/synthetic-world.md).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of images.", Required = true };
        var size = new Option<int>("--size") { Description = $"Image size: {string.Join(", ", FaceModel.Sizes)}.", DefaultValueFactory = _ => 64 };
        var seed = new Option<long>("--seed") { Description = "Seed; the same seed gives the same bytes.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output folder (an interrupted run continues there).", Required = true };
        var perIdentity = new Option<int>("--per-identity") { Description = "Consecutive images sharing one identity.", DefaultValueFactory = _ => 1 };
        var gt = new Option<SynthGroundTruth>("--gt") { Description = "Ground truth to write: full, depth or none.", DefaultValueFactory = _ => SynthGroundTruth.Full };
        var symmetric = new Option<bool>("--symmetric") { Description = "Exactly mirror-symmetric identities (asymmetry 0)." };
        var batch = new Option<int>("--batch") { Description = "Images rendered together (speed only).", DefaultValueFactory = _ => 16 };
        var grids = new Option<int>("--grids") { Description = "Also write example grids of the first N images into DIR/grids (0 = none).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("synth", "Render a procedural 3D face dataset: PNG images plus depth, normals, albedo, masks, view, light and parameters.")
        {
            n, size, seed, output, perIdentity, gt, symmetric, batch, grids,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var options = new SynthOptions(parse.GetValue(n), parse.GetValue(size), parse.GetValue(seed), parse.GetValue(output)!)
            {
                PerIdentity = parse.GetValue(perIdentity),
                GroundTruth = parse.GetValue(gt),
                Symmetric = parse.GetValue(symmetric),
                BatchSize = parse.GetValue(batch),
            };
            if (parse.GetValue(grids) < 0) throw new UsageException($"--grids {parse.GetValue(grids)}: must be 0 or more");
            var report = SynthDataset.Write(options, stdout.WriteLine);
            if (parse.GetValue(grids) > 0)
            {
                string folder = Path.Combine(options.Output, "grids");
                SynthPreview.Write(options, parse.GetValue(grids), folder);
                stdout.WriteLine($"synth: grids {string.Join(", ", SynthPreview.Names)} -> {Path.GetFullPath(folder)}");
            }
            stdout.WriteLine($"synth: wrote {report.Written} images, kept {report.Skipped} finished ones, in {report.Seconds:F1} s -> {Path.GetFullPath(options.Output)}");
            return 0;
        }));
        return cmd;
    }
}
