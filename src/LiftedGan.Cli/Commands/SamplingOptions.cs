using System.CommandLine;
using LiftedGan.Export;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// The options every controlled-generation command shares (--ckpt, --stylegan, --n, --seed, --truncation,
/// --latents, --out) and the one way they become a sampler, latents and an output folder.
/// </summary>
internal sealed class SamplingOptions
{
    public readonly Option<string> Checkpoint = new("--ckpt") { Description = "Lift checkpoint (checkpoint_NNN.pth with liftedgan_config.json beside it).", Required = true };
    public readonly Option<string> StyleGan = new("--stylegan") { Description = "The teacher StyleGAN2 checkpoint the lift was trained on.", Required = true };
    public readonly Option<int> Count;
    public readonly Option<long> Seed = new("--seed") { Description = "Seed of the random latents.", DefaultValueFactory = _ => 0 };
    public readonly Option<double?> Truncation = new("--truncation") { Description = "ψ of w ← ψ·w + (1 - ψ)·w_mu (default: the run's, 0.7)." };
    public readonly Option<string?> Latents = new("--latents") { Description = ".npy of z (N x style, float32) to use instead of random ones." };
    public readonly Option<string> Output;

    public SamplingOptions(string defaultOut, int defaultCount = 4)
    {
        Count = new Option<int>("--n") { Description = "Number of random samples (ignored with --latents).", DefaultValueFactory = _ => defaultCount };
        Output = new Option<string>("--out") { Description = "Output folder (latents.npy is saved there).", DefaultValueFactory = _ => defaultOut };
    }

    /// <summary>Adds the shared options; <paramref name="withCheckpoint"/> false leaves --ckpt to the command (compare).</summary>
    public void AddTo(Command command, bool withCheckpoint = true)
    {
        if (withCheckpoint) command.Options.Add(Checkpoint);
        foreach (var o in new Option[] { StyleGan, Count, Seed, Truncation, Latents, Output }) command.Options.Add(o);
    }

    /// <summary>Checks --n (unless --latents is given) and --truncation before anything is loaded or written.</summary>
    public void Validate(ParseResult parse, int minimum = 1)
    {
        if (parse.GetValue(Latents) is null) CliValues.Int(parse, Count, minimum, CliValues.MaxSamples);
        if (parse.GetValue(Truncation) is { } psi) CliValues.Real("--truncation", psi, 0, 1);
    }

    /// <summary>Opens the sampler of one lift checkpoint (after a cheap check of the options and the output path).</summary>
    public LiftedSampler Open(ParseResult parse, string? checkpoint = null, int minimum = 1)
    {
        Validate(parse, minimum);
        SampleOutput.CheckFolder(parse.GetValue(Output)!);
        return LiftedSampler.Open(checkpoint ?? parse.GetValue(Checkpoint)!, parse.GetValue(StyleGan)!);
    }

    /// <summary>The latents (from --latents, else --n random from --seed), the truncation, and the prepared output folder.</summary>
    public (Tensor Z, double Truncation, string OutDir) Resolve(ParseResult parse, LiftedSampler sampler, int minimum = 1)
    {
        Validate(parse, minimum);
        var z = parse.GetValue(Latents) is { } path ? sampler.LoadLatents(path) : sampler.RandomLatents(parse.GetValue(Count), parse.GetValue(Seed));
        if (parse.GetValue(Latents) is not null && z.shape[0] < minimum)
            throw new SamplingException(parse.GetValue(Latents)!, $"needs at least {minimum} latents, has {z.shape[0]}");
        double psi = parse.GetValue(Truncation) ?? sampler.Model.Config.Truncation;
        string outDir = parse.GetValue(Output)!;
        SampleOutput.Prepare(outDir, z);
        return (z, psi, outDir);
    }
}
