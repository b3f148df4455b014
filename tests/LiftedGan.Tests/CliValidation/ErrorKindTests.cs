using System.CommandLine;
using LiftedGan.Cli.Commands;
using LiftedGan.Synthetic;
using Xunit;

namespace LiftedGan.Tests.CliValidation;

/// <summary>The CLI tells a user error (one line, exit 1, in flags) from a bug (please report, stack trace, exit 70).</summary>
public class ErrorKindTests
{
    static (int Code, string Err) Execute(Func<TextWriter, int> body)
    {
        var command = new RootCommand();
        command.SetAction(parse => GlobalOptions.Execute(parse, body, needsTorch: false));
        var err = new StringWriter();
        int code = command.Parse(Array.Empty<string>()).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = err });
        return (code, err.ToString());
    }

    [Fact]
    public void ALibraryErrorIsOneLineThatSaysTheParameterAsItsFlag()
    {
        var (code, err) = Execute(_ => throw new SyntheticWorldException("count", "0: must be at least 1"));
        Assert.Equal(1, code);
        Assert.Equal("liftedgan: error: --n: 0: must be at least 1", err.Trim());
        (code, err) = Execute(_ => throw new FileNotFoundException("missing.pt not found"));
        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void AnyOtherExceptionIsABugWithItsStackTrace()
    {
        var (code, err) = Execute(_ => throw new InvalidOperationException("sequence contains no elements"));
        Assert.Equal(GlobalOptions.BugExitCode, code);
        Assert.StartsWith("liftedgan: internal error: sequence contains no elements", err, StringComparison.Ordinal);
        Assert.Contains("please report", err, StringComparison.Ordinal);
        Assert.Contains(nameof(AnyOtherExceptionIsABugWithItsStackTrace), err, StringComparison.Ordinal);
        // An ArgumentException from inside the library is a bug too, no longer a user error.
        (code, _) = Execute(_ => throw new ArgumentException("shape mismatch"));
        Assert.Equal(GlobalOptions.BugExitCode, code);
    }
}
