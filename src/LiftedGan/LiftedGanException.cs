namespace LiftedGan;

/// <summary>
/// Base of the library's errors that a user can act on: a file that is missing, corrupt or does not fit, a setting
/// out of range, a run that diverged. The message names the subject (a file or a parameter, never a command-line
/// flag) and the problem; the CLI prints it as one line. Any other exception is a bug.
/// </summary>
public class LiftedGanException : Exception
{
    /// <summary>An error told as one message.</summary>
    public LiftedGanException(string message, Exception? inner = null) : base(message, inner) => Problem = message;

    /// <summary>An error about <paramref name="subject"/> (a file or a parameter): "SUBJECT: PROBLEM".</summary>
    public LiftedGanException(string subject, string problem, Exception? inner = null) : base($"{subject}: {problem}", inner)
    {
        Subject = subject;
        Problem = problem;
    }

    /// <summary>The file or parameter the error is about, when it names one.</summary>
    public string? Subject { get; }

    /// <summary>What is wrong, without the subject.</summary>
    public string Problem { get; }
}
