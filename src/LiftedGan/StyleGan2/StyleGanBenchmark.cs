using System.Diagnostics;
using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.StyleGan2;

/// <summary>Throughput of one configuration: generator images/s and training steps/s with achieved GFLOP/s.</summary>
public sealed record StyleGanBenchResult(string Name, int Batch, double ImagesPerSecond, double GeneratorGflops,
    double StepsPerSecond, double TrainGflops);

/// <summary>
/// Measures generator inference and training throughput for a configuration, and the machine's dense float32 matmul
/// rate as the reference ("share of peak").
/// </summary>
public static class StyleGanBenchmark
{
    /// <summary>A 64 px small model: style 256, 4 mapping layers, 256 channels at 4-16 px, then 128, 64.</summary>
    public static TrainOptions Small64 { get; } = new()
    {
        Generator = new GeneratorConfig
        {
            Size = 64, StyleDim = 256, MappingLayers = 4,
            Channels = new Dictionary<int, int> { [4] = 256, [8] = 256, [16] = 256, [32] = 128, [64] = 64 },
        },
        Discriminator = new DiscriminatorConfig
        {
            Size = 64, Channels = new Dictionary<int, int> { [4] = 256, [8] = 256, [16] = 256, [32] = 128, [64] = 64 },
        },
        Batch = 8,
    };

    /// <summary>The paper's 256 px generator with the matching reduced discriminator (4:512 … 256:32).</summary>
    public static TrainOptions Paper256 { get; } = new()
    {
        Generator = GeneratorConfig.Paper,
        Discriminator = new DiscriminatorConfig
        {
            Size = 256, Channels = new Dictionary<int, int> { [4] = 512, [8] = 512, [16] = 512, [32] = 256, [64] = 128, [128] = 64, [256] = 32 },
        },
        Batch = 8,
    };

    /// <summary>Dense float32 matmul rate (GFLOP/s) of an n x n product, best of <paramref name="repeats"/>.</summary>
    public static double MatmulGflops(int n = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var a = randn([n, n], generator: g);
        var b = randn([n, n], generator: g);
        a.matmul(b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>Runs <paramref name="genIters"/> generator batches and <paramref name="trainSteps"/> training steps (after one warm-up each).</summary>
    public static StyleGanBenchResult Run(string name, TrainOptions options, int genIters, int trainSteps)
    {
        int b = options.Batch;
        double imagesPerSecond, stepsPerSecond;
        using (var gen = new StyleGenerator(options.Generator, new Generator(1)))
        using (var rng = new Generator(2))
        using (no_grad())
        {
            gen.eval();
            void Once() { using var s = NewDisposeScope(); gen.Generate([randn([b, options.Generator.StyleDim], generator: rng)], new GenerateOptions { Rng = rng }); }
            Once();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < genIters; i++) Once();
            imagesPerSecond = genIters * b / sw.Elapsed.TotalSeconds;
        }
        var source = new ShapesSource(options.Generator.Size);
        using (var trainer = new StyleGanTrainer(options, source))
        {
            trainer.Iteration = 1; // steps 1..3 carry no lazy regularisation
            trainer.Step();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < trainSteps; i++)
            {
                if (trainer.Iteration % options.GRegEvery == 0 || trainer.Iteration % options.DRegEvery == 0) trainer.Iteration++;
                trainer.Step();
            }
            stepsPerSecond = trainSteps / sw.Elapsed.TotalSeconds;
        }
        double genFlops = FlopCount.Generator(options.Generator, b) / b;
        double stepFlops = FlopCount.TrainStep(options.Generator, options.Discriminator, b);
        return new StyleGanBenchResult(name, b, imagesPerSecond, imagesPerSecond * genFlops / 1e9, stepsPerSecond, stepsPerSecond * stepFlops / 1e9);
    }

    static readonly Dictionary<int, int> TeacherTable = new() { [4] = 256, [8] = 256, [16] = 128, [32] = 64, [64] = 32 };

    /// <summary>The shipped world-fit teacher's run (models/stylegan2_world64.pt): style 128, 4 mapping layers, batch 16.</summary>
    public static TrainOptions WorldFit64 { get; } = new()
    {
        Generator = new GeneratorConfig { Size = 64, StyleDim = 128, MappingLayers = 4, Channels = TeacherTable, LrMlp = 1 },
        Discriminator = new DiscriminatorConfig { Size = 64, Channels = TeacherTable },
        Batch = 16, Beta1 = 0.9, Objective = TrainObjective.WorldFit,
    };

    /// <summary>The real-face (LFW) teacher's run: style 256, 4 mapping layers, DiffAugment, batch 16, adversarial.</summary>
    public static TrainOptions Adversarial64 { get; } = new()
    {
        Generator = new GeneratorConfig { Size = 64, StyleDim = 256, MappingLayers = 4, Channels = TeacherTable },
        Discriminator = new DiscriminatorConfig { Size = 64, Channels = TeacherTable },
        Batch = 16, Augment = true,
    };

    /// <summary>
    /// Profiles <paramref name="steps"/> training steps (random weights) from iteration 0, so the lazy R1 and
    /// path-length steps come in their proportion (16 steps: R1 once, path length 4 times), after one warm-up step.
    /// Adversarial runs read the synthetic shapes source here (a run on photos reads decoded images from memory).
    /// </summary>
    public static TrainerProfile Profile(string name, TrainOptions options, int steps)
    {
        using var trainer = new StyleGanTrainer(options, new ShapesSource(options.Generator.Size));
        var profile = new StepProfile { Warmup = 1 };
        trainer.Profile = profile;
        trainer.Iteration = 1;
        trainer.Step();
        trainer.Iteration = 0;
        for (int i = 0; i < steps; i++) trainer.Step();
        var g = options.Generator;
        string setting = $"{(options.Objective == TrainObjective.WorldFit ? "world-fit" : "adversarial")}, {g.Size} px, batch {options.Batch}, " +
            $"style {g.StyleDim}, channels {string.Join(",", g.Channels.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}"))}" +
            (options.Augment ? ", DiffAugment" : "");
        return TrainerProfile.From(name, setting, profile);
    }
}
