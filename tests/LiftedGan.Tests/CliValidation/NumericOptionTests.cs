using LiftedGan.Checkpoints;
using Xunit;

namespace LiftedGan.Tests.CliValidation;

/// <summary>Numeric option values are checked before anything is loaded or written: one line, exit 1, nothing clamped.</summary>
public class NumericOptionTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LiftedGan.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    static void AssertOneLineError(string expected, params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith("liftedgan: error: ", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("generate", "0")]
    [InlineData("generate", "-3")]
    [InlineData("rotate", "0")]
    [InlineData("export-mesh", "-3")]
    [InlineData("generate", "2147483647")]
    public void SampleCountOutOfRangeIsRefused(string command, string n) =>
        AssertOneLineError(n.StartsWith('-') ? $"--n {n}: must be 0 or more" : $"--n {n}: must be between 1 and 65536", command, "--ckpt", "missing.pth", "--stylegan", "missing.pt", "--n", n, "--out", Path.Combine(Path.GetTempPath(), "never"));

    [Fact]
    public void RotateRejectsBadMaxAngleBeforeWritingLatents()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"rotate-{Guid.NewGuid():N}");
        AssertOneLineError("--max-angle 200: must be a finite number in (0, 90]",
            "rotate", "--ckpt", "missing.pth", "--stylegan", "missing.pt", "--max-angle", "200", "--out", outDir);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("--truncation-mean", "-5", "--truncation-mean -5: must be 0 or more")]
    [InlineData("--truncation-mean", "0", "--truncation-mean 0: must be between 1 and 1048576")]
    [InlineData("--n", "2147483647", "--n 2147483647: must be between 1 and 65536")]
    [InlineData("--truncation", "NaN", "--truncation NaN: must be a finite number")]
    [InlineData("--truncation", "2", "--truncation 2: must be a finite number in (0, 1]")]
    public void StyleGanGenerateValuesAreChecked(string option, string value, string expected) =>
        AssertOneLineError(expected, option == "--truncation"
            ? new[] { "stylegan", "generate", "--ckpt", "missing.pt", option, value }
            : new[] { "stylegan", "generate", "--ckpt", "missing.pt", "--truncation", "0.5", option, value });

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void StyleGanTrainNeedsAtLeastOneStep(string steps) =>
        AssertOneLineError(steps == "0" ? "--steps 0: must be between 1 and 1000000000" : "--steps -1: must be 0 or more",
            "stylegan", "train", "--steps", steps, "--out", Path.Combine(Path.GetTempPath(), "never"));

    [Theory]
    [InlineData("--lr", "Infinity", "--lr Infinity: must be a finite number")]
    [InlineData("--batch", "-2", "--batch -2: must be 0 or more")]
    [InlineData("--batch", "0", "--batch 0: must be between 1 and 4096")]
    public void EveryRealIsFiniteAndEveryCountNonNegative(string option, string value, string expected) =>
        AssertOneLineError(expected, "stylegan", "train", option, value, "--out", Path.Combine(Path.GetTempPath(), "never"));

    [Theory]
    [InlineData("identity", "train", "--batch", "2000000000", "--batch 2000000000: must be at most 4096")]
    [InlineData("identity", "train", "--identities", "2000000", "--identities 2000000: must be at most 1000000")]
    [InlineData("eval", "train-estimator", "--batch", "2147483647", "--batch 2147483647: must be at most 4096")]
    public void HugeSizesAreRefusedBeforeAnythingIsAllocated(string command, string sub, string option, string value, string expected) =>
        AssertOneLineError(expected, command, sub, option, value, "--steps", "1", "--out", Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.pt"));

    [Fact]
    public void InspectOfHostileFileIsOneLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"deep-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, LiftedGan.Tests.Checkpoints.HostileFiles.DeepKey(200_000, orderedDict: true));
        try { AssertOneLineError("nested deeper than 8", "inspect", path); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SummaryTotalsSaturateForHugeViews()
    {
        using var baseTensor = TorchSharp.torch.zeros(1);
        using var view = baseTensor.as_strided(new[] { 1L << 31, 1L << 31 }, new[] { 0L, 0L });
        var summary = CheckpointSummary.Of(new PyDict { ["v"] = view });
        Assert.Equal(long.MaxValue, summary.TotalBytes);
        Assert.Equal(1L << 62, summary.TotalElements);
    }
}

/// <summary>--no-verify skips the CRC check; without it a flipped tensor byte is one line.</summary>
public class NoVerifyOptionTests
{
    [Fact]
    public void FlippedByteIsCaughtUnlessNoVerify()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flip-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, LiftedGan.Tests.Checkpoints.HostileFiles.TensorFile(100, flip: 17));
        try
        {
            var err = new StringWriter();
            Assert.Equal(1, LiftedGan.Cli.Program.Run(new[] { "inspect", path }, new StringWriter(), err));
            Assert.Contains("fails its CRC-32 check", err.ToString());
            Assert.Equal(0, LiftedGan.Cli.Program.Run(new[] { "inspect", path, "--no-verify" }, new StringWriter(), new StringWriter()));
        }
        finally
        {
            File.Delete(path);
            TorchCheckpoint.Limits = CheckpointLimits.FromEnvironment();
        }
    }
}

/// <summary>pack --fp16 of a checkpoint holding a huge broadcast view is one line, not a libtorch allocation failure.</summary>
public class PackHugeViewTests
{
    [Fact]
    public void HugeViewIsRefusedBeforeConverting()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"pack-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            using var one = TorchSharp.torch.zeros(1);
            using var huge = one.expand(1L << 17, 1L << 17);
            var g = new PyDict { IsOrdered = true };
            g.Set("w", huge);
            var root = new PyDict();
            root.Set("g_ema", g);
            string input = Path.Combine(dir, "huge.pt");
            TorchCheckpoint.Save(input, root);
            Assert.True(new FileInfo(input).Length < 1 << 16);
            var err = new StringWriter();
            int code = LiftedGan.Cli.Program.Run(new[] { "pack", input, "--out", Path.Combine(dir, "packed.pt"), "--fp16" }, new StringWriter(), err);
            Assert.Equal(1, code);
            Assert.Single(err.ToString().TrimEnd('\n').Split('\n'));
            Assert.Contains("17179869184 elements", err.ToString());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
