using System.CommandLine;
using System.Globalization;
using LiftedGan.Training;

namespace LiftedGan.Cli.Commands;

/// <summary>
/// The options and the run of `eval train-estimator` and `eval train-expression`: both train an image estimator on the
/// procedural world into one resumable file (--out; an existing one resumes) and write a JSON log beside it.
/// </summary>
internal sealed class EstimatorTrainingOptions
{
    public EstimatorTrainingOptions(int steps, int batch, long width)
    {
        Output = new Option<string>("--out") { Description = "Output checkpoint (.pt); a JSON log with held-out errors is written beside it.", Required = true };
        Steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => steps };
        Batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => batch };
        Size = new Option<int>("--size") { Description = "Image size (32 or 64).", DefaultValueFactory = _ => 64 };
        Width = new Option<long>("--width") { Description = "Base channel width.", DefaultValueFactory = _ => width };
        Seed = new Option<long>("--seed") { Description = "Seed of initialisation and training stream.", DefaultValueFactory = _ => 1 };
        CkptEvery = new Option<int>("--ckpt-every") { Description = "Steps between checkpoints (written to --out; an existing --out resumes).", DefaultValueFactory = _ => 100 };
        HeldOut = new Option<int>("--held-out") { Description = "Held-out procedural images for the error report.", DefaultValueFactory = _ => 256 };
    }

    public Option<string> Output { get; }
    public Option<int> Steps { get; }
    public Option<int> Batch { get; }
    public Option<int> Size { get; }
    public Option<long> Width { get; }
    public Option<long> Seed { get; }
    public Option<int> CkptEvery { get; }
    public Option<int> HeldOut { get; }

    public Command Command(string name, string description) => new(name, description) { Output, Steps, Batch, Size, Width, Seed, CkptEvery, HeldOut };

    /// <summary>The output file and checkpoint interval, checked.</summary>
    public (string Path, int Every) Checked(ParseResult parse)
    {
        string path = parse.GetValue(Output)!;
        if (Directory.Exists(path)) throw new UsageException($"--out {path}: is a folder; give a file name");
        int every = parse.GetValue(CkptEvery);
        if (every < 1) throw new UsageException($"--ckpt-every {every}: must be at least 1");
        return (path, every);
    }

    /// <summary>
    /// Runs <paramref name="run"/> (the trainer's loop to its step count) with a progress line, collecting the losses;
    /// returns them and the wall seconds.
    /// </summary>
    public static (List<double> Losses, double Seconds) Train(TextWriter stdout, string label, string path, int steps, int startStep, string lossFormat,
        Action<Action<StepProgress>> run)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var losses = new List<double>();
        if (startStep > 0) stdout.WriteLine($"resuming {path} at step {startStep} of {steps}");
        TrainingProgress.Run(stdout, label, steps, startStep, report => run(p =>
        {
            double loss = p.Scalars["loss"];
            losses.Add(loss);
            report(p.Step, string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{steps} loss {loss.ToString(lossFormat, CultureInfo.InvariantCulture)}"));
        }));
        return (losses, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The training log's common fields.</summary>
    public static object Log(ParseResult parse, object options, double seconds, int startStep, List<double> losses, object heldOut) => new
    {
        command = CliValues.CommandLine(parse),
        options, train_seconds = seconds, machine = $"{Environment.ProcessorCount} cores",
        resumed_at = startStep, first_loss = losses.Take(20).DefaultIfEmpty(double.NaN).Average(), last_loss = losses.TakeLast(20).DefaultIfEmpty(double.NaN).Average(), held_out = heldOut,
        loss_every_10 = losses.Where((_, i) => i % 10 == 0).ToArray(),
    };
}
