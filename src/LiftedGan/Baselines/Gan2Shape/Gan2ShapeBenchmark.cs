using System.Diagnostics;
using LiftedGan.Lifting;
using LiftedGan.StyleGan2;
using static TorchSharp.torch;

namespace LiftedGan.Baselines.Gan2Shape;

/// <summary>
/// Median milliseconds of one iteration of each GAN2Shape step on one teacher sample (prior fit, step 1, step 2, one
/// collect pass, step 3), the fit time they predict for the config's schedule, and a whole fit of that schedule timed
/// beside it when asked; the process's peak memory.
/// </summary>
public sealed record Gan2ShapeBenchResult(int Batch, double PriorMilliseconds, double Step1Milliseconds, double Step2Milliseconds,
    double CollectMilliseconds, double Step3Milliseconds, double PredictedFitSeconds, double? MeasuredFitSeconds, long PeakWorkingSetBytes);

/// <summary>Times GAN2Shape's steps on a sample of <c>teacher</c> (random-feature perceptual network; speed does not depend on the weights).</summary>
public static class Gan2ShapeBenchmark
{
    public static Gan2ShapeBenchResult Run(Gan2ShapeConfig config, StyleGenerator teacher, int repeats, bool wholeFit)
    {
        using var perceptual = Gan2ShapeLosses.Perceptual(Vgg16Features.RandomFeatures(0));
        Tensor w;
        using (no_grad()) w = teacher.Map(randn([1, teacher.Config.StyleDim], generator: new Generator(1)));
        using (w)
        {
            using var fit = new Gan2ShapeInstance(config, teacher, w, perceptual, 1);
            double Time(Action body) => LiftingBenchmark.MedianMilliseconds(repeats, body);
            double prior = Time(() => fit.FitPrior(1));
            double step1 = Time(() => fit.Step1(1, flip: true));
            double step2 = Time(() => fit.Step2(1));
            double collect = Time(() => fit.Collect(1));
            double step3 = Time(() => fit.Step3(1, flip: true));
            double predicted = config.PriorSteps * prior;
            for (int s = 0; s < config.Stages; s++)
            {
                var (s1, s2, s3) = config.Iterations(s);
                predicted += s1 * step1 + s2 * step2 + config.CollectIterations * collect + s3 * step3;
            }
            double? measured = null;
            if (wholeFit)
            {
                using var whole = new Gan2ShapeInstance(config, teacher, w, perceptual, 2);
                var sw = Stopwatch.StartNew();
                whole.Run();
                measured = sw.Elapsed.TotalSeconds;
            }
            return new Gan2ShapeBenchResult(config.BatchSize, prior, step1, step2, collect, step3, predicted / 1000, measured,
                Process.GetCurrentProcess().PeakWorkingSet64);
        }
    }
}
