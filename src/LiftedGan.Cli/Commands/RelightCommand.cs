using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan relight`: official light sweeps (-60°..60° step 6) as GIF, PNG strip and shading strip.</summary>
internal static class RelightCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_relight");
        var cmd = new Command("relight", "Light-direction sweeps of lifted faces (official generate_lighting), with the shading maps.");
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            var (frames, shading) = sampler.LightSweep(z, psi);
            using (z)
            using (frames)
            using (shading)
            {
                SampleOutput.SaveSweeps(outDir, frames);
                SampleOutput.SaveSweeps(outDir, shading, "_shading");
            }
            stdout.WriteLine($"wrote {count} light sweeps -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
