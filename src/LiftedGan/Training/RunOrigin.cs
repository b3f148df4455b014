using System.Security.Cryptography;

namespace LiftedGan.Training;

/// <summary>How a run records the checkpoint it started from: the file's name and the SHA-256 of its bytes.</summary>
public static class RunOrigin
{
    /// <summary>"NAME sha256:HEX" of the file at <paramref name="path"/>.</summary>
    public static string Of(string path)
    {
        using var stream = File.OpenRead(path);
        return $"{Path.GetFileName(path)} sha256:{Convert.ToHexStringLower(SHA256.HashData(stream))}";
    }
}
