namespace LiftedGan.Packing;

/// <summary>
/// The models the repository ships in <c>models/</c> (the embedded default, all 64 px): the StyleGAN2 teacher trained
/// on the procedural face world (packed g_ema), its LiftedGAN lift (synth_64, packed, config beside it) and the
/// procedural identity embedding. The folder is <c>--models DIR</c>, else <see cref="EnvironmentVariable"/>, else the
/// <c>models</c> folder the build copies next to the program.
/// </summary>
public sealed record ShippedModels(string Folder, string StyleGan, string Lift, string LiftConfig, string Identity, string IdentityLog)
{
    public const string StyleGanFile = "stylegan2_world64.pt";
    public const string LiftFile = "liftedgan_synth64.pth";
    public const string IdentityFile = "identity_faces64.pt";
    public const string IdentityLogFile = "identity_faces64.json";
    public const string EnvironmentVariable = "LIFTEDGAN_MODELS";

    /// <summary>The <c>models</c> folder beside the program (the build copies the repository's <c>models/</c> there).</summary>
    public static string BuildOutputFolder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The folder to use and where the choice came from (for messages).</summary>
    public static (string Folder, string Source) ChooseFolder(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return (option, "--models");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return (env, EnvironmentVariable);
        return (BuildOutputFolder, "the program's models folder");
    }

    /// <summary>The shipped models in the chosen folder; a missing file throws a <see cref="ShippedModelException"/> saying how to make it.</summary>
    public static ShippedModels Locate(string? option)
    {
        var (folder, source) = ChooseFolder(option);
        var models = new ShippedModels(folder, Path.Combine(folder, StyleGanFile), Path.Combine(folder, LiftFile),
            Path.Combine(folder, Lifting.LiftedCheckpoint.ConfigFileName), Path.Combine(folder, IdentityFile), Path.Combine(folder, IdentityLogFile));
        string where = $"(models folder from {source}; the build copies the repository's models/ next to the program)";
        if (!Directory.Exists(folder))
            throw new ShippedModelException(folder, $"models folder not found {where}. Pass --models DIR or set {EnvironmentVariable}; models/README.md says how each file is made");
        Require(models.StyleGan, where, "StyleGAN2 teacher",
            $"liftedgan stylegan train --objective world-fit --size 64 --style-dim 128 --n-mlp 4 --out sg64 (see models/README.md), then liftedgan pack sg64/checkpoint/NNNNNN.pt --fp16 --out {models.StyleGan}");
        Require(models.Lift, where, "LiftedGAN lift (synth_64)",
            $"liftedgan lift --stylegan {models.StyleGan} --preset synth_64 --face-embedding {models.Identity} --out lift64, then liftedgan pack lift64/checkpoint_NNN.pth --fp16 --out {models.Lift}");
        Require(models.Identity, where, "identity embedding",
            $"liftedgan identity train --out identity.pt --size 64 (see models/README.md), then liftedgan pack identity.pt --fp16 --out {models.Identity}");
        return models;
    }

    static void Require(string path, string where, string what, string command)
    {
        if (!File.Exists(path)) throw new ShippedModelException(path, $"shipped {what} missing {where}. Make it with: {command}");
    }
}
