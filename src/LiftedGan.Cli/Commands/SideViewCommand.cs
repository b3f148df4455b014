using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan sideview`: the shape turning +90°..-90° with neutral shading and with normals, as the official summaries.</summary>
internal static class SideViewCommand
{
    public static Command Create()
    {
        var options = new SamplingOptions("lifted_sideview");
        var cmd = new Command("sideview", "The lifted shape rotating (+90..-90 yaw, 9 views) with neutral shading and with normals.");
        options.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            using var sampler = options.Open(parse);
            var (z, psi, outDir) = options.Resolve(parse, sampler);
            long count = z.shape[0];
            var (neutral, normals) = sampler.SideView(z, psi);
            using (z)
            using (neutral)
            using (normals)
            {
                SampleOutput.SaveSweeps(outDir, neutral, "_shape");
                SampleOutput.SaveSweeps(outDir, normals, "_normals");
            }
            stdout.WriteLine($"wrote {count} side views -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
