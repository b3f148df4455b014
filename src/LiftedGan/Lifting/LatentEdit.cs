using LiftedGan.StyleGan2;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Lifting;

/// <summary>
/// The composer as a linear edit of the teacher's latent space (<see cref="LiftingConfig.ComposerEdit"/>; checkpoint key
/// netLE): InterFaceGAN's edit with the lift's own readings as the labels. The lift's readings r(w) of pose and light
/// direction (pitch, yaw, roll of the raw view, x and y of the raw light) are regressed on the normalised latent ẑ of
/// teacher samples, r ≈ r̄ + (ẑ − ẑ̄)·B (ridge), and a face is moved to the reading t by the smallest change of ẑ
/// that gives the regression t: ẑ′ = ẑ + (t − r̂(ẑ))·(BᵀB)⁻¹Bᵀ, repeated (at most <see cref="ProjectionRounds"/> times) with
/// the mapping's pixel norm between, w′ = map(ẑ′), with ẑ the latent the teacher mapped to w
/// (<see cref="StyleGenerator.Unmap"/>: the teacher remembers its recent latents, as the mapping cannot be inverted
/// numerically; a style fitted to a photograph gets a latent fitted to it). Ambient and diffuse strength are not edited;
/// the translation in the image plane only with <see cref="LiftingConfig.ComposerEditTranslation"/> (checkpoint key netLET).
/// <para>
/// Why the projection and not the reverse regression of the latent on the readings: with readings r = g·t + n of a
/// true angle t that is linear in ẑ, B is g times t's direction, so the canonical edit (target 0) removes the true
/// angle whatever the gain g and the noise n (a target t′ gives the true angle t′/g: the lift's own scale); the
/// reverse regression moves a face by only R² of its reading (the residual composer's linear warm start kept 0.37 of
/// the source's pitch and 0.62 of its roll).
/// Measured on the step-5,750 lift's readings (world-fit teacher, 64 faces, exact truth of ẑ′): the canonical edit leaves
/// 0.01 of the source's yaw, 0.19 of its pitch and 0.43 of its roll, keeps each face's own look (slope 0.92 of the
/// between-face differences of the teacher's frontal images, against the learnt composer's 0.78), and the depth-signal
/// probe with it as the canonical image reaches distinctiveness 0.29 in 600 steps (the learnt composer's image 0.03).
/// </para>
/// The edit is re-fitted from the lift's current readings every <see cref="LiftingConfig.ComposerEditEvery"/> steps
/// (and when it has never been fitted), from <see cref="Samples"/> teacher samples of a seeded generator.
/// </summary>
public sealed class LatentEdit : nn.Module
{
    /// <summary>Readings the edit sets without translation: pitch, yaw, roll, light x, light y.</summary>
    public const int Readings = 5;

    /// <summary>Readings the edit sets with translation (<see cref="LiftingConfig.ComposerEditTranslation"/>): also the view's tx and ty.</summary>
    public const int ReadingsWithTranslation = 7;

    static readonly string[] AllReadingNames = ["pitch", "yaw", "roll", "light_x", "light_y", "tx", "ty"];

    /// <summary>Teacher samples of one fit.</summary>
    public const int Samples = 4096;

    /// <summary>Latents the teacher remembers for <see cref="StyleGenerator.Unmap"/> (a fit maps <see cref="Samples"/>).</summary>
    public const int RememberedLatents = 16_384;

    /// <summary>Ridge of the regression, per sample (on centred latents of unit variance).</summary>
    public const double Ridge = 1e-3;

    readonly Tensor directions;
    readonly Tensor latentMean;
    readonly Tensor readingMean;
    readonly Tensor fitted;

    /// <param name="latentDim">Dimension D of the teacher's latent.</param>
    /// <param name="translation">Whether the edit also sets the view's translation in the image plane (tx, ty).</param>
    public LatentEdit(int latentDim, bool translation = false) : base(nameof(LatentEdit))
    {
        ReadingCount = translation ? ReadingsWithTranslation : Readings;
        ReadingNames = AllReadingNames[..ReadingCount];
        directions = zeros(latentDim, ReadingCount);
        latentMean = zeros(1, latentDim);
        readingMean = zeros(1, ReadingCount);
        fitted = zeros(1);
        register_buffer("directions", directions);
        register_buffer("latent_mean", latentMean);
        register_buffer("reading_mean", readingMean);
        register_buffer("fitted", fitted);
    }

    /// <summary>Whether the edit has been fitted (a new one edits nothing).</summary>
    public bool Fitted => fitted.item<float>() > 0.5f;

    /// <summary>Readings this edit sets: <see cref="Readings"/>, or <see cref="ReadingsWithTranslation"/> with translation.</summary>
    public int ReadingCount { get; }

    /// <summary>Names of the readings, in order (training logs each fit's R² under them).</summary>
    public IReadOnlyList<string> ReadingNames { get; }

    /// <summary>B (D × readings): the regression of the readings on ẑ.</summary>
    public Tensor Directions => directions;

    /// <summary>
    /// The readings the edit sets of a raw light (B×4) and raw view (B×6): pitch, yaw, roll, light x, light y, and with
    /// translation the view's tx and ty (B × <see cref="ReadingCount"/>).
    /// </summary>
    public Tensor Targets(Tensor light, Tensor view) => ReadingCount == Readings
        ? cat(new[] { view[.., ..3], light[.., 2..4] }, 1)
        : cat(new[] { view[.., ..3], light[.., 2..4], view[.., 3..5] }, 1);

    /// <summary>
    /// Fits the edit to the lift's current readings of <paramref name="samples"/> teacher samples (latents from a
    /// generator seeded by <paramref name="seed"/>, untruncated); returns the share of each reading's variance the
    /// latent explains linearly (R², one per reading).
    /// </summary>
    public double[] Fit(LiftedGenerator model, int samples, ulong seed)
    {
        if (samples <= directions.shape[0]) throw new ArgumentException($"latent edit: {samples} samples cannot fit {directions.shape[0]} latent dimensions");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var g = new Generator(seed);
        var latents = new List<Tensor>();
        var readings = new List<Tensor>();
        int dim = (int)directions.shape[0];
        for (int done = 0; done < samples; done += 64)
        {
            var z = randn(new long[] { Math.Min(64, samples - done), dim }, generator: g);
            var zn = PixelNorm.Normalise(z);
            var w = model.Teacher.Map(zn);
            var (light, view) = model.LightAndView(w, train: false);
            latents.Add(zn);
            readings.Add(Targets(light, view));
        }
        var x = cat(latents, 0).to(float64);
        var r = cat(readings, 0).to(float64);
        var xm = x.mean(new long[] { 0 }, keepdim: true);
        var rm = r.mean(new long[] { 0 }, keepdim: true);
        x = x - xm;
        r = r - rm;
        var gram = x.t().mm(x) + Ridge * samples * eye(dim, dtype: float64);
        var b = linalg.solve(gram, x.t().mm(r));
        var residual = r - x.mm(b);
        var explained = (1 - residual.square().sum(new long[] { 0 }, false) / r.square().sum(new long[] { 0 }, false).clamp_min(1e-12))
            .to(float32).data<float>().Select(v => (double)v).ToArray();
        directions.copy_(b.to(directions.dtype));
        latentMean.copy_(xm.to(latentMean.dtype));
        readingMean.copy_(rm.to(readingMean.dtype));
        fitted.fill_(1);
        return explained;
    }

    /// <summary>Most projections (each followed by the pixel norm) per edit; it stops earlier once every reading is within <see cref="Tolerance"/>.</summary>
    public const int ProjectionRounds = 60;

    /// <summary>Largest distance of a regressed reading from its target (raw units) at which the projections stop.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>The regression's readings (B × readings) of normalised latents <paramref name="zn"/> (B×D).</summary>
    public Tensor Predicted(Tensor zn) => readingMean + (zn - latentMean).mm(directions);

    /// <summary>
    /// The styles of faces <paramref name="w"/> (detached) moved to the pose and light direction of
    /// <paramref name="light"/> and <paramref name="view"/> (raw, B×4 and B×6; gradients reach them through the teacher's
    /// mapping).
    /// </summary>
    public Tensor Apply(StyleGenerator teacher, Tensor w, Tensor light, Tensor view)
    {
        if (!Fitted) throw new InvalidOperationException("latent edit: not fitted yet");
        using var scope = NewDisposeScope();
        var zn = teacher.Unmap(w.detach());
        var step = linalg.solve(directions.t().mm(directions), directions.t());
        var target = Targets(light, view);
        // The mapping's pixel norm puts every latent back on the sphere ‖ẑ‖² = D, which moves the readings a little;
        // projections, each followed by that normalisation, land on the sphere at the target (measured on the shipped
        // lift's fit, 256 faces: 2 rounds leave 2e-6 of readings up to 1.5, five or seven of them; an untrained lift's
        // nearly collinear directions need about 30).
        for (int i = 0; i < ProjectionRounds; i++)
        {
            var residual = target - Predicted(zn);
            if (residual.abs().max().item<float>() < Tolerance) break;
            zn = PixelNorm.Normalise(zn + residual.mm(step));
        }
        return teacher.Map(zn).MoveToOuterDisposeScope();
    }
}
