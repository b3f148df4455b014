using System.Diagnostics;
using System.Text.Json;
using LiftedGan.Baselines.Unsup3d;
using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// GAN2Shape's joint pre-training for faces (spec related-systems §1.8): one <see cref="Gan2ShapeInstance"/> over many
/// teacher samples, the prior fitted once on the first image, then every stage of the config; after each stage an atomic
/// checkpoint (<see cref="Gan2ShapeWeights"/>'s networks and config plus the styles, the stages done, the random
/// generator's state, the loss history, the training seconds and the teacher's name and SHA-256). Steps start a fresh
/// Adam and a fresh image order and collecting replaces the stored projections, so a stage boundary holds the whole
/// state: a resumed run continues exactly as an uninterrupted one. The per-image fits start from the result
/// (<see cref="Gan2ShapeWeights.Load"/>).
/// </summary>
public sealed class Gan2ShapeJointTraining : IDisposable
{
    /// <summary>Keys of the checkpoint's progress: stages done, training seconds, the teacher's name and SHA-256.</summary>
    public const string StagesKey = "stages_done", SecondsKey = "train_seconds", TeacherKey = "teacher";

    const string StylesKey = "styles", RandomKey = "rng_state", HistoryKey = "history", BoxKey = "prior_box";
    static readonly string[] StepNames = ["prior", "step1", "step2", "step3"];

    readonly List<Gan2ShapeLoss> _earlier = [];

    /// <param name="config">A joint schedule (<see cref="Gan2ShapeConfig.CpuJoint"/>, <see cref="Gan2ShapeConfig.OfficialJoint"/>).</param>
    /// <param name="teacher">The StyleGAN2 whose samples are fitted.</param>
    /// <param name="styles">The samples' styles, N×D (N ≥ 2).</param>
    /// <param name="perceptual">The perceptual network (see <see cref="Gan2ShapeInstance"/>).</param>
    /// <param name="seed">Seed of the image order, pseudo samples and batches.</param>
    /// <param name="box">The first image's object box for the prior (null: the whole image, face-adjusted).</param>
    /// <param name="teacherOrigin">The teacher's "NAME sha256:HEX" (<see cref="Training.RunOrigin"/>), checked on resume.</param>
    public Gan2ShapeJointTraining(Gan2ShapeConfig config, StyleGenerator teacher, Tensor styles, PerceptualLoss? perceptual, ulong seed, PixelBox? box,
        string teacherOrigin)
    {
        if (styles.dim() != 2 || styles.shape[0] < 2) throw new Gan2ShapeException("styles", $"joint training needs N x D with N ≥ 2, got [{string.Join(", ", styles.shape)}]");
        Instance = new Gan2ShapeInstance(config, teacher, styles, perceptual, seed, box);
        TeacherOrigin = teacherOrigin;
    }

    public Gan2ShapeInstance Instance { get; }
    public Gan2ShapeConfig Config => Instance.Config;
    public string TeacherOrigin { get; }

    /// <summary>Stages finished (the prior fit comes before the first).</summary>
    public int StagesDone { get; private set; }

    /// <summary>Wall seconds spent fitting, summed over resumes.</summary>
    public double TrainSeconds { get; private set; }

    /// <summary>Whether every stage is done.</summary>
    public bool Finished => StagesDone == Config.Stages;

    /// <summary>Every logged loss of the run, resumed parts included, in order.</summary>
    public IReadOnlyList<Gan2ShapeLoss> History => [.. _earlier, .. Instance.History];

    /// <summary>
    /// Runs what is left: the prior fit (when no stage is done) and the remaining stages, writing the checkpoint to
    /// <paramref name="checkpoint"/> after each stage; <paramref name="stageDone"/> is told each finished stage (1-based).
    /// </summary>
    public void Run(string checkpoint, Action<string>? progress = null, Action<int>? stageDone = null)
    {
        while (!Finished)
        {
            var clock = Stopwatch.StartNew();
            if (StagesDone == 0)
            {
                progress?.Invoke("prior");
                Instance.FitPrior(Config.PriorSteps);
            }
            Instance.RunStage(StagesDone, progress);
            TrainSeconds += clock.Elapsed.TotalSeconds;
            StagesDone++;
            Save(checkpoint);
            stageDone?.Invoke(StagesDone);
        }
    }

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        var root = Gan2ShapeWeights.ToDict(Instance);
        using var styles = cat(Enumerable.Range(0, Instance.Count).Select(StyleOf).ToList(), 0);
        root.Set(StylesKey, styles);
        root.Set(StagesKey, (long)StagesDone);
        root.Set(RandomKey, Instance.Random.get_state());
        using var history = HistoryTensor(History);
        root.Set(HistoryKey, history);
        root.Set(SecondsKey, TrainSeconds);
        root.Set(TeacherKey, TeacherOrigin);
        var b = Instance.Box;
        root.Set(BoxKey, JsonSerializer.Serialize(new[] { b.Top, b.Bottom, b.Left, b.Right }));
        try { TorchCheckpoint.Save(path, root); }
        finally { if (root.TryGet(RandomKey, out var state) && state is Tensor t) t.Dispose(); }
    }

    Tensor StyleOf(int index)
    {
        int current = Instance.Current;
        Instance.Select(index);
        var style = Instance.Style;
        Instance.Select(current);
        return style;
    }

    /// <summary>
    /// Continues a run from its checkpoint: the same config, styles and seed state; the teacher must be the one it was
    /// trained with (name and SHA-256 of <paramref name="teacherOrigin"/>).
    /// </summary>
    /// <exception cref="Gan2ShapeException">The checkpoint belongs to another teacher or holds no training state.</exception>
    public static Gan2ShapeJointTraining Resume(string path, StyleGenerator teacher, PerceptualLoss? perceptual, string teacherOrigin)
    {
        var root = Gan2ShapeWeights.LoadRoot(path);
        try
        {
            var config = Gan2ShapeWeights.ReadConfig(root, path);
            if (!root.TryGet(StylesKey, out var s) || s is not Tensor styles || !root.TryGet(StagesKey, out var d) || d is not long done
                || !root.TryGet(RandomKey, out var r) || r is not Tensor state || !root.TryGet(HistoryKey, out var h) || h is not Tensor history
                || !root.TryGet(TeacherKey, out var o) || o is not string origin || !root.TryGet(BoxKey, out var bx) || bx is not string boxJson)
                throw new Gan2ShapeException(path, "holds no joint training state (styles, stages_done, rng_state, history, teacher, prior_box)");
            if (origin != teacherOrigin) throw new Gan2ShapeException(path, $"was trained on teacher {origin}; given {teacherOrigin}");
            if (done < 0 || done > config.Stages) throw new CheckpointFormatException(path, $"stages_done {done} outside 0..{config.Stages}");
            var box = JsonSerializer.Deserialize<double[]>(boxJson);
            if (box is not { Length: 4 }) throw new CheckpointFormatException(path, "prior_box is not 4 numbers");
            var run = new Gan2ShapeJointTraining(config, teacher, styles, perceptual, 0, new PixelBox(box[0], box[1], box[2], box[3]), origin);
            try
            {
                Gan2ShapeWeights.LoadInto(root, path, run.Instance.Model, run.Instance.Encoder);
                run.Instance.Random.set_state(state);
                run.StagesDone = (int)done;
                run.TrainSeconds = root.TryGet(SecondsKey, out var t) && t is double seconds ? seconds : 0;
                run._earlier.AddRange(FromHistoryTensor(history, path));
                return run;
            }
            catch { run.Dispose(); throw; }
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    static Tensor HistoryTensor(IReadOnlyList<Gan2ShapeLoss> history)
    {
        var values = new double[history.Count * 4];
        for (int i = 0; i < history.Count; i++)
        {
            var h = history[i];
            values[4 * i] = h.Stage;
            values[4 * i + 1] = Array.IndexOf(StepNames, h.Step);
            values[4 * i + 2] = h.Iteration;
            values[4 * i + 3] = h.Loss;
        }
        return tensor(values, [history.Count, 4], ScalarType.Float64);
    }

    static IEnumerable<Gan2ShapeLoss> FromHistoryTensor(Tensor history, string path)
    {
        if (history.dim() != 2 || history.shape[1] != 4) throw new CheckpointFormatException(path, "history is not K x 4");
        var v = history.to(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < v.Length / 4; i++)
        {
            int step = (int)v[4 * i + 1];
            if (step < 0 || step >= StepNames.Length) throw new CheckpointFormatException(path, $"history row {i}: step code {step}");
            yield return new Gan2ShapeLoss((int)v[4 * i], StepNames[step], (int)v[4 * i + 2], v[4 * i + 3]);
        }
    }

    public void Dispose() => Instance.Dispose();
}
