using System.Diagnostics;
using LiftedGan.StyleGan2;
using LiftedGan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>One workload's median time under each convolution policy, measured in interleaved rounds of one run.</summary>
public sealed record ConvGuardBenchRow(string Workload, IReadOnlyDictionary<ConvPolicy, double> Milliseconds)
{
    /// <summary>Time under <paramref name="policy"/> divided by the unguarded (<see cref="ConvPolicy.On"/>) time.</summary>
    public double Ratio(ConvPolicy policy) => Milliseconds[policy] / Milliseconds[ConvPolicy.On];
}

/// <summary>
/// The numerics guard's cost: convolution layers, the perceptual network, the embedded-size StyleGAN2 teacher
/// (forward + backward) and one synth_64 lifting step, each timed under the policies on (unguarded oneDNN), off (native,
/// process-wide) and guarded (what auto chooses on CPUs whose self-test fails) in interleaved rounds so that load changes hit all alike. The unguarded policy
/// computes wrong numbers on affected CPUs: it is timed only as the speed reference.
/// </summary>
public static class ConvGuardBenchmark
{
    static readonly ConvPolicy[] Policies = [ConvPolicy.On, ConvPolicy.Off, ConvPolicy.Guarded];

    /// <summary>Runs every workload <paramref name="rounds"/> times per policy (after one warm-up round); medians.</summary>
    public static IReadOnlyList<ConvGuardBenchRow> Run(GeneratorConfig teacherConfig, int rounds, Action<string>? log = null)
    {
        var before = ConvGuard.RequestedPolicy;
        var g = new torch.Generator(3);
        var config = LiftingConfig.Synth64.ForTeacher(teacherConfig.StyleDim);
        using var teacher = new StyleGenerator(teacherConfig, new torch.Generator(1));
        var model = new LiftedGenerator(teacher, config);
        var statistics = StyleStatistics.Compute(teacher, 500, 1);
        var perceptual = PerceptualLoss.For(config, Vgg16Features.RandomFeatures(0));
        using var trainer = new LiftingTrainer(model, statistics, perceptual, null);
        int b = config.BatchSize, s = config.ImageSize;

        Action Conv(long cin, long cout, long size) => () =>
        {
            var x = randn([b, cin, size, size], generator: g).requires_grad_(true);
            var w = (randn([cout, cin, 3, 3], generator: g) * 0.1).requires_grad_(true);
            ConvGuard.Conv2d(x, w, padding: [1, 1]).sum().backward();
        };
        var workloads = new List<(string Name, Action Run)>
        {
            ($"conv 32->32 3x3 {s}px fwd+bwd", Conv(32, 32, s)),
            ($"conv 20->32 3x3 {s}px fwd+bwd", Conv(20, 32, s)),
            ($"conv 32->2 3x3 {s}px fwd+bwd", Conv(32, 2, s)),
            ($"conv 128->128 3x3 32px fwd+bwd", Conv(128, 128, 32)),
            ($"VGG16 perceptual {s}px fwd+bwd", () =>
            {
                var x = (torch.rand(b, 3, s, s, generator: g) * 2 - 1).requires_grad_(true);
                perceptual.Compute(x, torch.rand(b, 3, s, s, generator: g) * 2 - 1).backward();
            }),
            ($"StyleGAN2 {teacherConfig.Size}px fwd+bwd", () =>
            {
                var w = randn([b, config.StyleDim], generator: g).requires_grad_(true);
                var (image, _) = model.Synthesize(w);
                image.sum().backward();
            }),
            ("synth_64 lift step", () =>
            {
                // Unguarded, a step may produce a non-finite gradient on affected CPUs; it is still timed.
                try { trainer.Step(); } catch (LiftingDivergedException) { }
            }),
        };
        var times = workloads.Select(_ => Policies.ToDictionary(p => p, _ => new List<double>())).ToList();
        try
        {
            for (int round = 0; round <= Math.Max(1, rounds); round++)
            {
                foreach (var policy in Policies)
                {
                    ConvGuard.SetPolicy(policy);
                    for (int i = 0; i < workloads.Count; i++)
                    {
                        using var scope = NewDisposeScope();
                        var sw = Stopwatch.StartNew();
                        workloads[i].Run();
                        if (round > 0) times[i][policy].Add(sw.Elapsed.TotalMilliseconds);
                    }
                }
                log?.Invoke($"round {round} of {Math.Max(1, rounds)} done");
            }
        }
        finally { ConvGuard.SetPolicy(before); }
        return workloads.Select((w, i) => new ConvGuardBenchRow(w.Name,
            Policies.ToDictionary(p => p, p => Median(times[i][p])))).ToList();
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
