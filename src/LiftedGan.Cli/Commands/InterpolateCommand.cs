using System.CommandLine;
using System.Globalization;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan interpolate`: styles between two latents, each step rendered at several yaws (paper Fig. 6).</summary>
internal static class InterpolateCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_interpolate", defaultCount: 2);
        var steps = new Option<int>("--frames") { Description = "Images along the line between the two latents, both ends included.", DefaultValueFactory = _ => 8 };
        var yaws = new Option<string>("--yaws") { Description = "Comma-separated yaw angles in degrees, each frame rendered at all of them.", DefaultValueFactory = _ => "-30,-15,0,15,30" };
        var cmd = new Command("interpolate", "Interpolate between the first two latents; each frame rendered at several yaws (interpolation.png/.gif).") { steps, yaws };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var angles = parse.GetValue(yaws)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                    : throw new UsageException($"--yaws '{a}': not a number")).ToArray();
            using var sampler = options.Open(parse, minimum: 2);
            var (z, psi, outDir) = options.Resolve(parse, sampler, minimum: 2);
            using (z)
            using (var grid = sampler.Interpolate(z[0], z[1], parse.GetValue(steps), angles, psi))
                SampleOutput.SaveRows(outDir, grid, "interpolation");
            stdout.WriteLine($"wrote {parse.GetValue(steps)} frames x {angles.Length} views -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
