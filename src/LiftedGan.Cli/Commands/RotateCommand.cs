using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan rotate`: pose sweeps (official: yaw -45..45 step 3, pitch -15..15 step 1; or ±--max-angle) as GIF and PNG strip.</summary>
internal static class RotateCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_rotate");
        var axis = new Option<string>("--axis") { Description = "yaw (default) or pitch.", DefaultValueFactory = _ => "yaw" };
        var maxAngle = new Option<double?>("--max-angle") { Description = "Sweep 31 angles from -A to +A degrees instead of the official range (yaw ±45, pitch ±15)." };
        var cmd = new Command("rotate", "Pose sweeps of lifted faces (official generate_poses angles), GIF and PNG strip per sample.") { axis, maxAngle };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var which = parse.GetValue(axis) switch
            {
                "yaw" => PoseAxis.Yaw,
                "pitch" => PoseAxis.Pitch,
                var other => throw new UsageException($"--axis {other}: must be yaw or pitch"),
            };
            if (parse.GetValue(maxAngle) is { } a) CliValues.Real("--max-angle", a, 0, 90, minOpen: true);
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            using (z)
            using (var frames = sampler.PoseSweep(z, which, psi, parse.GetValue(maxAngle))) SampleOutput.SaveSweeps(outDir, frames);
            stdout.WriteLine($"wrote {count} {parse.GetValue(axis)} sweeps -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
