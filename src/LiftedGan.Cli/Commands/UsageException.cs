namespace LiftedGan.Cli.Commands;

/// <summary>A bad command line (an option out of range, options that do not go together): told in flags, as one line.</summary>
internal sealed class UsageException(string message, Exception? inner = null) : LiftedGanException(message, inner);
