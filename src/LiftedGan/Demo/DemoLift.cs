using System.Diagnostics;
using System.Globalization;
using System.Text;
using LiftedGan.IO;
using LiftedGan.Lifting;
using LiftedGan.Packing;

namespace LiftedGan.Demo;

/// <summary>
/// The demo's short lift: a fresh synth_64 run of the shipped StyleGAN2 teacher with the shipped identity embedding
/// (<see cref="LiftingRun"/>, the same code as `liftedgan lift`), a few steps in one epoch, with sample grids at the
/// first and the last step and every step's losses in losses.csv.
/// </summary>
public static class DemoLift
{
    /// <summary>The run's folder inside the results folder.</summary>
    public const string FolderName = "lift-run";

    /// <summary>Default steps: about 4 minutes of a 2-core CPU at batch 8.</summary>
    public const int DefaultSteps = 30;

    /// <summary>The synth_64 preset shortened to <paramref name="steps"/> steps of <paramref name="batch"/> with summaries at the first and last step.</summary>
    public static LiftingConfig Config(int steps, int batch, long seed)
    {
        if (steps < 1) throw new DemoException("lift steps", $"{steps}: must be at least 1");
        if (batch < 1) throw new DemoException("lift batch", $"{batch}: must be at least 1");
        return LiftingConfig.Synth64 with { Epochs = 1, StepsPerEpoch = steps, BatchSize = batch, SummaryInterval = Math.Max(1, steps - 1), Seed = seed };
    }

    /// <summary>
    /// Trains <paramref name="config"/> (see <see cref="Config"/>) from scratch into <paramref name="runDir"/> (the files of an earlier demo lift there are removed first, so
    /// the run never resumes); <paramref name="progress"/> is called after every step.
    /// </summary>
    public static DemoLiftResult Run(ShippedModels models, string runDir, LiftingConfig config, Action<string> warn, Action<LiftingProgress>? progress)
    {
        int steps = config.StepsPerEpoch * config.Epochs;
        ClearEarlierRun(runDir);
        var losses = new List<IReadOnlyDictionary<string, double>>();
        var clock = Stopwatch.StartNew();
        using (var trainer = LiftingRun.Open(config, new LiftingInputs(models.StyleGan, runDir, null, models.Identity), warn))
            LiftingRun.Run(trainer, runDir, checkpointEvery: 0, progress: p =>
            {
                losses.Add(new Dictionary<string, double>(p.Losses));
                progress?.Invoke(p);
            });
        double seconds = clock.Elapsed.TotalSeconds;
        WriteLosses(Path.Combine(runDir, "losses.csv"), losses);
        string samples = Path.Combine(runDir, "samples");
        var grids = Directory.Exists(samples)
            ? Directory.GetFiles(samples, "*.png").Order(StringComparer.Ordinal).Select(f => $"samples/{Path.GetFileName(f)}").ToList()
            : new List<string>();
        string checkpoint = LiftingRun.LatestCheckpoint(runDir) ?? throw new DemoException(runDir, "the lift wrote no checkpoint");
        return new DemoLiftResult(runDir, steps, config.BatchSize, seconds, losses, grids, checkpoint);
    }

    /// <summary>The page section of a finished lift (paths relative to <paramref name="outDir"/>, the results folder).</summary>
    public static DemoSection Section(DemoLiftResult r, string outDir, string nextCommand)
    {
        string rel = Path.GetRelativePath(outDir, r.RunDir).Replace('\\', '/');
        var first = r.Losses.Count > 0 ? r.Losses[0] : new Dictionary<string, double>();
        var last = r.Losses.Count > 0 ? r.Losses[^1] : first;
        var rows = first.Keys.Select(k => (IReadOnlyList<string>)new[] { k, F(first[k]), last.TryGetValue(k, out var v) ? F(v) : "" }).ToList();
        var items = r.SampleGrids.Select(g => new DemoItem($"{rel}/{g}",
            $"step {int.Parse(Path.GetFileNameWithoutExtension(g), CultureInfo.InvariantCulture)}: rows = teacher image, lifted reconstruction, canonical (frontal) image, depth"))
            .ToList();
        items.Add(DemoItem.Link($"{rel}/losses.csv", "every step's loss terms"));
        items.Add(DemoItem.Link($"{rel}/{Path.GetFileName(r.Checkpoint)}", "the run's checkpoint (official layout, with optimiser state; resumable)"));
        items.Add(DemoItem.Link($"{rel}/{LiftedCheckpoint.ConfigFileName}", "the run's config"));
        return new DemoSection("lift", "A short lift, trained live",
            string.Create(CultureInfo.InvariantCulture,
                $"The demo trained a fresh LiftedGAN (synth_64) on the shipped StyleGAN2 for {r.Steps} steps of batch {r.Batch} in {r.Seconds:F0} s ({r.Steps / Math.Max(r.Seconds, 1e-9):F2} steps/s), with the shipped identity embedding for the identity loss and the random-feature VGG16 substitute for the perceptual loss. A real lift runs thousands of steps: {nextCommand}. The loss terms at the first and the last step:"),
            items, new DemoTable(new[] { "loss term", "step 1", $"step {r.Losses.Count}" }, rows));
    }

    static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);

    static void WriteLosses(string path, IReadOnlyList<IReadOnlyDictionary<string, double>> losses)
    {
        var names = losses.SelectMany(l => l.Keys).Distinct().ToList();
        var csv = new StringBuilder("step," + string.Join(',', names) + "\n");
        for (int i = 0; i < losses.Count; i++)
            csv.Append(i + 1).Append(',').Append(string.Join(',', names.Select(n => losses[i].TryGetValue(n, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""))).Append('\n');
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(csv.ToString()));
    }

    /// <summary>Removes what an earlier demo lift wrote into the folder (checkpoints, config, samples, TensorBoard log, losses).</summary>
    static void ClearEarlierRun(string runDir)
    {
        if (File.Exists(runDir)) throw new DemoException(runDir, "is a file, not a folder");
        if (!Directory.Exists(runDir)) return;
        try
        {
            foreach (var f in Directory.GetFiles(runDir, "checkpoint_*.pth")) File.Delete(f);
            foreach (var f in new[] { LiftedCheckpoint.ConfigFileName, "losses.csv" }.Select(n => Path.Combine(runDir, n)).Where(File.Exists)) File.Delete(f);
            foreach (var d in new[] { "samples", "tb" }.Select(n => Path.Combine(runDir, n)).Where(Directory.Exists)) Directory.Delete(d, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DemoException(runDir, $"cannot remove the earlier demo lift ({e.Message})");
        }
    }
}
