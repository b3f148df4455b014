using LiftedGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// Warm start of a residual composer re-started on a trained lift (<see cref="LiftingConfig.ResidualComposer"/> switched
/// on at resume, its output zeroed, so every composed face is at first the source face itself, pose included): the
/// composer alone is fitted by Adam (lr 1e-3) to the parameter cycle against the lift's own, frozen light and view
/// networks, D(G(w + M(w, L′, V′))) = (L′, V′), with the style proximity term keeping w + M near w, at the training
/// run's weights of both. Half of each batch asks for the canonical light and view (the decomposer's ambient and
/// diffuse, no direction, V = 0: the frontal face the canonical image must show), half for perturbations sampled as in
/// training. Nothing but the lift's own networks is used. Deterministic: batches come from a generator seeded by the
/// run seed.
/// </summary>
public static class ResidualComposerWarmup
{
    public const int Batch = 32;
    public const double LearningRate = 1e-3;

    /// <summary>Samples of the teacher the linear edit (<see cref="LiftingConfig.ResidualWarmupLinear"/>) is regressed on.</summary>
    public const int LinearEditSamples = 2048;

    /// <summary>Ridge of the linear edit's least squares (on centred readings in raw units).</summary>
    public const double LinearEditRidge = 1e-3;

    /// <summary>
    /// Runs <paramref name="steps"/> steps; returns the last step's error: the parameter-cycle error (unweighted), or
    /// with <see cref="LiftingConfig.ResidualWarmupLinear"/> the relative squared error of the composer's residual
    /// against the linear edit.
    /// </summary>
    public static double Run(LiftedGenerator model, StyleStatistics statistics, int steps, long seed)
    {
        if (!model.Config.ResidualComposer) throw new ArgumentException("residual composer warm start: the composer is not a residual one (composer_residual is off)");
        WarmStart.CheckSteps("residual composer warm start", steps);
        ulong stream = (ulong)(seed * 1_000_003 + 271_829);
        if (model.Config.ResidualWarmupLinear)
        {
            using var edit = LinearEdit.Fit(model, statistics, LinearEditSamples, stream + 1);
            using var linear = new ComposerFit(model, statistics, (w, g) => LinearLoss(model, statistics, edit, w, g));
            return WarmStart.Run(linear, steps, stream, "the residual composer warm start (linear edit)");
        }
        using var fit = new ComposerFit(model, statistics, (w, g) => CycleLoss(model, statistics, w, g));
        return WarmStart.Run(fit, steps, stream, "the residual composer warm start");
    }

    /// <summary>The lift's own reading of styles w: (pitch, yaw, roll) of the raw view and the raw light, B×7, no gradient.</summary>
    static Tensor Reading(LiftedGenerator model, Tensor w)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (light, view) = model.LightAndView(w, train: false);
        return cat(new[] { view[.., ..3], light }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The lights and views a warm-start batch asks for: the first half the canonical light of <paramref name="ownLight"/>
    /// and view 0, the second half a perturbation sampled as in training.
    /// </summary>
    static (Tensor Light, Tensor View) Asked(Tensor ownLight, LiftingConfig c, Generator g)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var perturbation = Perturbation.Sample(ownLight, c, g);
        var perturbed = (arange(ownLight.shape[0]) >= ownLight.shape[0] / 2).to(ScalarType.Float32).unsqueeze(1);
        var light = perturbed * perturbation.Light + (1 - perturbed) * LiftedGenerator.NeutralLight(ownLight);
        var view = perturbation.View * perturbed;
        return (light.MoveToOuterDisposeScope(), view.MoveToOuterDisposeScope());
    }

    /// <summary>Truncated teacher styles of a batch of latents from <paramref name="g"/>.</summary>
    static Tensor SampleStyles(LiftedGenerator model, StyleStatistics statistics, int batch, Generator g)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = randn(new long[] { batch, model.Config.StyleDim }, generator: g);
        return (statistics.Mean + model.Config.Truncation * (model.Teacher.Map(z) - statistics.Mean)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The linear pose-and-light edit of the teacher's style space, read by the lift's own networks: the ridge least
    /// squares w ≈ w̄ + (x − x̄)·A over teacher samples, x = (pitch, yaw, roll, light) as the lift reads them (7 × D).
    /// Moving a face from reading x to x′ is w + (x′ − x)·A (the linear edits of InterFaceGAN, with the lift's readings
    /// as the labels). Measured on the world-fit teacher with the shipped lift's readings (estimator's angles on the
    /// edited faces): asked for ±30° yaw it turns faces to +31° / −28°, ±15° pitch to +13.9° / −13.3°, and the
    /// canonical edit takes the faces' mean |yaw| from 17.8° to 7.1° and |pitch| from 7.8° to 5.8°, keeping the face
    /// embedding's cosine to the source at 0.78–0.84 (the shipped composer: 0.59–0.63).
    /// </summary>
    public sealed class LinearEdit : IDisposable
    {
        LinearEdit(Tensor matrix, double explained) { Matrix = matrix; Explained = explained; }

        /// <summary>A (7 × D): rows pitch, yaw, roll, then the four raw light entries.</summary>
        public Tensor Matrix { get; }

        /// <summary>Share of the styles' variance the readings explain linearly.</summary>
        public double Explained { get; }

        /// <summary>Regresses the teacher's styles on the lift's readings over <paramref name="samples"/> samples.</summary>
        public static LinearEdit Fit(LiftedGenerator model, StyleStatistics statistics, int samples, ulong seed)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var g = new Generator(seed);
            var styles = new List<Tensor>();
            var readings = new List<Tensor>();
            for (int done = 0; done < samples; done += 64)
            {
                var w = SampleStyles(model, statistics, Math.Min(64, samples - done), g);
                styles.Add(w);
                readings.Add(Reading(model, w));
            }
            var x = cat(readings, 0);
            var w0 = cat(styles, 0);
            x = x - x.mean(new long[] { 0 }, keepdim: true);
            w0 = w0 - w0.mean(new long[] { 0 }, keepdim: true);
            var gram = x.t().mm(x) + LinearEditRidge * samples * eye(x.shape[1], dtype: x.dtype, device: x.device);
            var a = linalg.solve(gram, x.t().mm(w0));
            double explained = 1 - (w0 - x.mm(a)).pow(2).sum().item<float>() / w0.pow(2).sum().item<float>();
            return new LinearEdit(a.MoveToOuterDisposeScope(), explained);
        }

        /// <summary>The residual w′ − w that moves faces read as <paramref name="from"/> to <paramref name="to"/> (B×7 each).</summary>
        public Tensor Residual(Tensor from, Tensor to) => (to - from).mm(Matrix);

        public void Dispose() => Matrix.Dispose();
    }

    /// <summary>
    /// The warm start as a <see cref="TrainingLoop"/> model: one step fits the composer (Adam) to one batch of sampled
    /// styles by <paramref name="loss"/>, which returns the loss to descend and the scalar to report as "error".
    /// </summary>
    sealed class ComposerFit(LiftedGenerator model, StyleStatistics statistics, Func<Tensor, Generator, (Tensor Loss, double Error)> loss)
        : ITrainable, IDisposable
    {
        readonly AdamOptimizer _adam = new(model.Composer.parameters(), LearningRate, 0.9, 0.999);

        public long StepsDone { get; private set; }

        public IReadOnlyDictionary<string, double> Step(Generator g)
        {
            using var scope = NewDisposeScope();
            var (value, error) = loss(SampleStyles(model, statistics, Batch, g), g);
            _adam.ZeroGrad();
            value.backward();
            _adam.Step();
            StepsDone++;
            return new Dictionary<string, double> { ["error"] = error };
        }

        public void Dispose() => _adam.Dispose();
    }

    /// <summary>
    /// The linear warm start's loss: the composer's residual M(w, L′, V′) against the linear edit from the lift's reading
    /// of w to (V′, L′), in the style prior's units, reported relative to w's own distance from the target; half of each
    /// batch asks for the canonical light and view, half for perturbations sampled as in training.
    /// </summary>
    static (Tensor, double) LinearLoss(LiftedGenerator model, StyleStatistics statistics, LinearEdit edit, Tensor w, Generator g)
    {
        var own = Reading(model, w);
        var (light, view) = Asked(own[.., 3..], model.Config, g);
        Tensor target;
        using (no_grad()) target = w + edit.Residual(own, cat(new[] { view[.., ..3], light }, 1));
        var loss = LiftingLosses.StylePrior(model.Compose(w, light, view), target, statistics.SigmaInverse);
        double relative;
        using (no_grad()) relative = loss.item<float>() / Math.Max(1e-12, LiftingLosses.StylePrior(w, target, statistics.SigmaInverse).item<float>());
        return (loss, relative);
    }

    /// <summary>The cycle warm start's loss: the parameter cycle on the composed styles' images plus the style proximity; reports the cycle.</summary>
    static (Tensor, double) CycleLoss(LiftedGenerator model, StyleStatistics statistics, Tensor w, Generator g)
    {
        var c = model.Config;
        Tensor own;
        using (no_grad()) (own, _) = model.Decomposer.forward(w);
        var (light, view) = Asked(own, c, g);
        var composed = model.Compose(w, light, view);
        var image = model.Synthesize(composed).Image;
        var (lightRead, viewRead) = model.LightAndView(composed, train: false, image: image);
        var cycle = LiftingLosses.ParameterCycle(lightRead, light, viewRead, view, c.CyclePitchWeight, c.CycleRollWeight);
        var loss = c.PerturbParameterWeight * cycle + c.StyleProximityWeight * LiftingLosses.StylePrior(composed, w, statistics.SigmaInverse);
        return (loss, cycle.item<float>());
    }
}
