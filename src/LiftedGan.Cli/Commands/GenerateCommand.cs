using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan generate`: random lifted faces beside the teacher's images, with depth, normal, shading and albedo maps.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_samples");
        var cmd = new Command("generate", "Random faces from a lift checkpoint: teacher image, lifted rendering, depth, normal, shading, albedo.");
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            using (z)
            using (var maps = sampler.Maps(z, psi)) SampleOutput.SaveMaps(outDir, maps);
            stdout.WriteLine($"wrote {count} samples (ψ = {psi}) -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
