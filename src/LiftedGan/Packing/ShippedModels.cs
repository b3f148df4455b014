namespace LiftedGan.Packing;

/// <summary>Who chose the shipped models' folder.</summary>
public enum ModelsFolderSource
{
    /// <summary>The caller named it.</summary>
    Given,
    /// <summary>The <see cref="ShippedModels.EnvironmentVariable"/> environment variable.</summary>
    Environment,
    /// <summary>The default: the <c>models</c> folder beside the program.</summary>
    ProgramFolder,
}

/// <summary>
/// The models the repository ships in <c>models/</c> (the embedded default, all 64 px): the StyleGAN2 teacher trained
/// on the procedural face world (packed g_ema), its LiftedGAN lift (synth_64, packed, config beside it) and the
/// procedural identity embedding. The folder is the one the caller gives, else <see cref="EnvironmentVariable"/>, else
/// the <c>models</c> folder the build copies next to the program. Optional beside them: the real-face pair (the
/// StyleGAN2 trained on LFW photographs and its lift), which the demo shows when both files are present.
/// </summary>
public sealed record ShippedModels(string Folder, string StyleGan, string Lift, string LiftConfig, string Identity, string IdentityLog)
{
    public const string StyleGanFile = "stylegan2_world64.pt";
    public const string LiftFile = "liftedgan_synth64.pth";
    public const string IdentityFile = "identity_faces64.pt";
    public const string IdentityLogFile = "identity_faces64.json";
    public const string EnvironmentVariable = "LIFTEDGAN_MODELS";
    public const string RealStyleGanFile = "stylegan2_lfw64.pt";
    public const string RealLiftFile = "liftedgan_lfw64.pth";

    /// <summary>The optional real-face teacher (StyleGAN2 trained on LFW), whether or not it exists.</summary>
    public string RealStyleGan => Path.Combine(Folder, RealStyleGanFile);

    /// <summary>The optional lift of <see cref="RealStyleGan"/>, whether or not it exists.</summary>
    public string RealLift => Path.Combine(Folder, RealLiftFile);

    /// <summary>Whether both real-face files are present.</summary>
    public bool HasRealFaces => File.Exists(RealStyleGan) && File.Exists(RealLift);

    /// <summary>The <c>models</c> folder beside the program (the build copies the repository's <c>models/</c> there).</summary>
    public static string BuildOutputFolder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The folder to use and who chose it.</summary>
    public static (string Folder, ModelsFolderSource Source) ChooseFolder(string? folder)
    {
        if (!string.IsNullOrWhiteSpace(folder)) return (folder, ModelsFolderSource.Given);
        if (System.Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return (env, ModelsFolderSource.Environment);
        return (BuildOutputFolder, ModelsFolderSource.ProgramFolder);
    }

    /// <summary>The shipped models in <paramref name="folder"/> (see <see cref="ChooseFolder"/>); a missing file throws a <see cref="ShippedModelException"/>.</summary>
    public static ShippedModels Locate(string? folder)
    {
        var (dir, source) = ChooseFolder(folder);
        var models = In(dir);
        string from = source switch
        {
            ModelsFolderSource.Given => "the folder given",
            ModelsFolderSource.Environment => EnvironmentVariable,
            _ => "the program's models folder",
        };
        string where = $"(models folder from {from}; the build copies the repository's models/ next to the program)";
        if (!Directory.Exists(dir))
            throw new ShippedModelException(dir, $"models folder not found {where}; models/README.md says how each file is made", ShippedModelPart.Folder, source);
        Require(models.StyleGan, "StyleGAN2 teacher", ShippedModelPart.StyleGan);
        Require(models.Lift, "LiftedGAN lift (synth_64)", ShippedModelPart.Lift);
        Require(models.Identity, "identity embedding", ShippedModelPart.Identity);
        return models;

        void Require(string path, string what, ShippedModelPart part)
        {
            if (!File.Exists(path)) throw new ShippedModelException(path, $"shipped {what} missing {where}; models/README.md says how to make it", part, source);
        }
    }

    /// <summary>The shipped models' paths in <paramref name="folder"/>, whether or not they exist.</summary>
    public static ShippedModels In(string folder) =>
        new(folder, Path.Combine(folder, StyleGanFile), Path.Combine(folder, LiftFile), Path.Combine(folder, Lifting.LiftedCheckpoint.ConfigFileName),
            Path.Combine(folder, IdentityFile), Path.Combine(folder, IdentityLogFile));
}
