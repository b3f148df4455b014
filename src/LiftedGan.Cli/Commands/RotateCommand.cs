using System.CommandLine;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan rotate`: official pose sweeps (yaw -45..45 step 3 or pitch -15..15 step 1) as GIF and PNG strip.</summary>
internal static class RotateCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_rotate");
        var axis = new Option<string>("--axis") { Description = "yaw (default) or pitch.", DefaultValueFactory = _ => "yaw" };
        var cmd = new Command("rotate", "Pose sweeps of lifted faces (official generate_poses angles), GIF and PNG strip per sample.") { axis };
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var which = parse.GetValue(axis) switch
            {
                "yaw" => PoseAxis.Yaw,
                "pitch" => PoseAxis.Pitch,
                var other => throw new ArgumentException($"--axis {other}: must be yaw or pitch"),
            };
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            using (z)
            using (var frames = sampler.PoseSweep(z, which, psi)) SampleOutput.SaveSweeps(outDir, frames);
            stdout.WriteLine($"wrote {count} {parse.GetValue(axis)} sweeps -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
