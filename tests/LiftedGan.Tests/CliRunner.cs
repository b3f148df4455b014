using static TorchSharp.torch;

namespace LiftedGan.Tests;

/// <summary>Runs the CLI in process on one intra-op thread (tiny tensors on a shared machine), restoring the thread count.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) OneThread(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int threads = get_num_threads();
        try
        {
            int code = Cli.Program.Run([.. args, "--threads", "1"], o, e);
            return (code, o.ToString(), e.ToString());
        }
        finally { set_num_threads(threads); }
    }
}
