using System.Globalization;

namespace LiftedGan.Checkpoints;

/// <summary>
/// The resource budget of one checkpoint read, enforced before anything is allocated: a file that needs more ends in
/// a <see cref="CheckpointFormatException"/>. The defaults fit every real checkpoint (PyTorch writes stored zips, whose
/// bytes count once) and keep a hostile file's peak memory near its own size plus <see cref="SlackBytes"/>.
/// </summary>
public sealed record CheckpointLimits
{
    /// <summary>Absolute cap on the bytes decompressed or copied out of one file (default 32 GiB).</summary>
    public long MaxTotalBytes { get; init; } = 32L << 30;

    /// <summary>Bytes a file may expand to beyond twice its own size (default 64 MiB): the total cap is
    /// min(<see cref="MaxTotalBytes"/>, 2 × file size + this).</summary>
    public long SlackBytes { get; init; } = 64L << 20;

    /// <summary>Largest ratio of inflated to compressed size accepted for a deflated zip entry over 1 MiB (default 100).</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    /// <summary>Most pickle opcodes executed per pickle; ops that create a dict count 8 (default 16 M).</summary>
    public long MaxPickleOps { get; init; } = 16L << 20;

    /// <summary>Most pickle memo entries (default 1 M).</summary>
    public int MaxMemo { get; init; } = 1 << 20;

    /// <summary>Most nodes (the key and every item of its tuples, shared ones counted each time) of one dict key (default 256).</summary>
    public int MaxKeyNodes { get; init; } = 256;

    /// <summary>Deepest tuple nesting inside a dict key (default 8).</summary>
    public int MaxKeyDepth { get; init; } = 8;

    /// <summary>Most zip entries (default 1 M).</summary>
    public int MaxZipEntries { get; init; } = 1 << 20;

    /// <summary>Checks the CRC-32 of every zip entry that is read (default true; <c>LIFTEDGAN_VERIFY_CRC=0</c> turns it off).</summary>
    public bool VerifyCrc { get; init; } = true;

    /// <summary>The defaults, with <c>LIFTEDGAN_MAX_READ_BYTES</c> (bytes) and <c>LIFTEDGAN_VERIFY_CRC</c> (0/1) applied.</summary>
    public static CheckpointLimits FromEnvironment()
    {
        var limits = new CheckpointLimits();
        if (Environment.GetEnvironmentVariable("LIFTEDGAN_MAX_READ_BYTES") is { Length: > 0 } max)
            limits = limits with
            {
                MaxTotalBytes = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out long m) && m > 0 ? m
                    : throw new ArgumentException($"LIFTEDGAN_MAX_READ_BYTES must be a positive whole number of bytes, got '{Printable(max)}'"),
            };
        if (Environment.GetEnvironmentVariable("LIFTEDGAN_VERIFY_CRC") is { Length: > 0 } crc)
            limits = limits with
            {
                VerifyCrc = crc switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw new ArgumentException($"LIFTEDGAN_VERIFY_CRC must be 0 or 1, got '{Printable(crc)}'"),
                },
            };
        return limits;
    }

    /// <summary>The total byte cap for a file of <paramref name="fileLength"/> bytes.</summary>
    public long TotalBytesFor(long fileLength) =>
        Math.Min(MaxTotalBytes, fileLength > (long.MaxValue - SlackBytes) / 2 ? long.MaxValue : 2 * fileLength + SlackBytes);

    /// <summary>Text safe to print on one line (<see cref="IO.UntrustedText.Printable"/>).</summary>
    internal static string Printable(string s) => IO.UntrustedText.Printable(s);
}

/// <summary>The running account of one read against its <see cref="CheckpointLimits"/>.</summary>
internal sealed class ReadBudget(CheckpointLimits limits, long fileLength, string path)
{
    long _bytes;

    public CheckpointLimits Limits { get; } = limits;
    public long MaxBytes { get; } = limits.TotalBytesFor(fileLength);
    public long FileLength { get; } = fileLength;

    /// <summary>Charges <paramref name="bytes"/> about to be allocated; throws when the total would pass the cap.</summary>
    public void Charge(long bytes, string what)
    {
        if (bytes < 0 || bytes > MaxBytes - _bytes)
            throw new CheckpointFormatException(path,
                $"{what} needs {bytes} bytes, beyond the read budget of {MaxBytes} bytes for a {FileLength}-byte file ({_bytes} already used)");
        _bytes += bytes;
    }
}
