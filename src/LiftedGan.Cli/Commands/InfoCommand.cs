using System.CommandLine;
using LiftedGan.Torch;
using TorchSharp;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan info`: versions, device, threads and what the native bootstrap did.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show libtorch, device and thread settings, what the native loader fix did, whether huge pages are on, and the convolution numerics guard's self-test and policy.");
        cmd.SetAction(parse => GlobalOptions.Execute(parse, output =>
        {
            output.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch CPU");
            output.WriteLine($"device: {TorchRuntime.Device}; cuda available: {torch.cuda.is_available()}");
            output.WriteLine($"threads: {torch.get_num_threads()}");
            output.WriteLine(HugePages.Describe());
            output.WriteLine("native bootstrap:");
            foreach (var line in NativeBootstrap.Report) output.WriteLine($"  {line}");
            output.WriteLine($"convolution numerics guard (LIFTEDGAN_MKLDNN={Environment.GetEnvironmentVariable("LIFTEDGAN_MKLDNN") ?? "unset"}):");
            foreach (var line in ConvGuard.Report) output.WriteLine($"  {line}");
            return 0;
        }));
        return cmd;
    }
}
