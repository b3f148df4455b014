namespace LiftedGan.Training;

/// <summary>
/// An exclusive lock on a run (an advisory file lock, released when the process ends however it ends), so that two
/// processes never train into the same run folder or checkpoint file and overwrite each other's checkpoints. The lock
/// file stays behind after release: deleting it would let a third process lock a new file while a second still holds
/// the old one.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream _stream;

    RunLock(FileStream stream) => _stream = stream;

    /// <summary>The lock file of a run folder: DIR/.lock.</summary>
    public static string ForFolder(string dir) => Path.Combine(dir, ".lock");

    /// <summary>The lock file of a run kept in one checkpoint file: FILE.lock.</summary>
    public static string ForFile(string checkpoint) => checkpoint + ".lock";

    /// <summary>Takes the lock <paramref name="lockFile"/> (creating it and its folder).</summary>
    /// <exception cref="RunSetupException">Another process (or another run in this one) holds it.</exception>
    public static RunLock Acquire(string lockFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockFile))!);
        try
        {
            return new RunLock(new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
        {
            throw new RunSetupException(lockFile, "another training process is writing this run (its lock is held); " +
                                                  "wait for it to finish or stop it, or train into another run folder");
        }
    }

    /// <summary>Fails now if the lock is held elsewhere (a check before expensive set-up; the run takes the lock itself).</summary>
    /// <exception cref="RunSetupException">The lock is held.</exception>
    public static void ThrowIfHeld(string lockFile) => Acquire(lockFile).Dispose();

    public void Dispose() => _stream.Dispose();
}
