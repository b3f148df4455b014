using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>Sample counts and seed of <see cref="ModelEvaluation.Evaluate"/>; a count of 0 skips that metric.</summary>
public sealed record ModelEvaluationOptions
{
    public int ReconstructionSamples { get; init; } = 256;
    public int Table2Samples { get; init; } = 1000;
    public int DsGroups { get; init; } = 1000;
    public int DsPerGroup { get; init; } = 10;
    public int DsReference { get; init; } = 1000;
    public int IdentityFaces { get; init; } = 100;
    public int FidSamples { get; init; } = 500;
    /// <summary>Samples for the exact-truth protocol (only on a world-fit teacher; 0 skips).</summary>
    public int TruthSamples { get; init; } = 500;
    /// <summary>
    /// A lift trained with the supervised-truth objective (same teacher and network sizes) scored beside
    /// each lift in the exact-truth protocol; null: none.
    /// </summary>
    public string? SupervisedCheckpoint { get; init; }
    public int Batch { get; init; } = 8;
    public long Seed { get; init; } = 1;
    /// <summary>torchvision VGG16 weights for the perceptual reconstruction distance; null: the lift's own substitute.</summary>
    public string? VggPath { get; init; }
}

/// <summary>
/// Every metric of one trained lift (the columns of <c>docs/results.md</c> and the ablation table): reconstruction L1
/// against the teacher, Table-2 depth and angle errors, DS, identity versus yaw and FID/KID. Null where the metric was
/// skipped (no estimator, no embedding, count 0).
/// </summary>
public sealed record ModelMetrics(string Name, string Checkpoint, long Steps, double ReconstructionL1, int ReconstructionSamples,
    Table2Result? Table2, DisentanglementResult? Disentanglement, IdentityYawResult? Identity, FidResult? Fid)
{
    /// <summary>The training loss's perceptual distance between render and teacher (same samples as the L1), or NaN.</summary>
    public double ReconstructionPerceptual { get; init; } = double.NaN;
    /// <summary>Which VGG16 measured <see cref="ReconstructionPerceptual"/>.</summary>
    public string PerceptualNetwork { get; init; } = "";

    /// <summary>
    /// Identity versus yaw of the lift's texture on a flat card (<see cref="IdentityYaw.LiftedRenderer"/> with a plane for
    /// depth) and of the exact procedural world's own faces (<see cref="IdentityYaw.FaceWorldRenderer"/>): the
    /// constant-shape answer and what a perfect 3D keeps under the same embedding; null where not measured.
    /// </summary>
    public IdentityYawResult? IdentityFlat { get; init; }
    /// <inheritdoc cref="IdentityFlat"/>
    public IdentityYawResult? IdentityWorld { get; init; }

    /// <summary>Errors against exact truth (world-fit teachers only), or null.</summary>
    public ExactTruthResult? Truth { get; init; }

    /// <summary>The lift's row of <see cref="Truth"/>, or null.</summary>
    public TruthScores? LiftTruth => Truth?[ExactTruthProtocol.Lift];

    /// <summary>Mean identity cosine over the non-frontal yaws, or NaN when not measured.</summary>
    public double MeanIdentity => Identity is null ? double.NaN
        : Identity.YawDegrees.Select((y, j) => (y, j)).Where(x => x.y != 0).Select(x => Identity.Mean[x.j]).DefaultIfEmpty(double.NaN).Average();

    /// <summary>DS of a factor, or NaN when not measured.</summary>
    public double Ds(string factor)
    {
        if (Disentanglement is null) return double.NaN;
        int i = Disentanglement.Factors.ToList().IndexOf(factor);
        return i < 0 ? double.NaN : Disentanglement.Scores[i];
    }
}

/// <summary>Evaluates a lift checkpoint with the project's metrics (see <see cref="ModelMetrics"/>).</summary>
public static class ModelEvaluation
{
    /// <summary>
    /// Measures <paramref name="checkpoint"/> (config beside it) on <paramref name="teacherPath"/>. Table 2 and DS need
    /// <paramref name="estimator"/>; identity and the identity factor of DS need <paramref name="embedding"/>; FID needs
    /// <paramref name="fid"/> and the teacher's set <paramref name="teacherSet"/> (measured once for many models). The
    /// exact world's identity-versus-yaw curve does not depend on the lift: pass <paramref name="worldIdentity"/> from an
    /// earlier model's <see cref="ModelMetrics.IdentityWorld"/> to reuse it (null: measured here).
    /// </summary>
    public static ModelMetrics Evaluate(string name, string checkpoint, string teacherPath, PoseDepthEstimator? estimator, IFaceEmbedding? embedding,
        FidEvaluation? fid, EvalSet? teacherSet, ModelEvaluationOptions o, Action<string> log, IdentityYawResult? worldIdentity = null)
    {
        if (!File.Exists(checkpoint)) throw new EvaluationException(checkpoint, "lift checkpoint not found");
        using var sampler = LiftedSampler.Open(checkpoint, teacherPath);
        long steps = ReadStep(checkpoint);
        log($"{name}: reconstruction L1 and perceptual distance on {o.ReconstructionSamples} samples");
        var (l1, perceptual, network) = o.ReconstructionSamples > 0 ? Reconstruction(sampler, o.ReconstructionSamples, o.Seed, o.VggPath, o.Batch) : (double.NaN, double.NaN, "");
        Table2Result? table2 = null;
        DisentanglementResult? ds = null;
        if (estimator is not null && o.Table2Samples > 0)
        {
            log($"{name}: Table 2 on {o.Table2Samples} samples");
            table2 = Table2Protocol.ForLiftedGenerator(sampler.Model, estimator, o.Table2Samples, o.Seed, o.Batch);
        }
        if (estimator is not null && o.DsGroups > 0)
        {
            log($"{name}: DS, {o.DsGroups} groups × {o.DsPerGroup}");
            ds = LiftedControls.MeasureDisentanglement(sampler, estimator, embedding,
                new DisentanglementOptions { Groups = o.DsGroups, PerGroup = o.DsPerGroup, ReferenceCount = o.DsReference, Seed = o.Seed }, s => log($"{name}: DS {s}"));
        }
        IdentityYawResult? identity = null, identityFlat = null, identityWorld = null;
        if (embedding is not null && o.IdentityFaces > 0)
        {
            log($"{name}: identity vs yaw on {o.IdentityFaces} faces (the lift, its texture on a flat card, the exact world)");
            identity = IdentityYaw.Measure(embedding, o.IdentityFaces, IdentityYaw.DefaultYaws, IdentityYaw.LiftedRenderer(sampler.Model, o.Seed));
            identityFlat = IdentityYaw.Measure(embedding, o.IdentityFaces, IdentityYaw.DefaultYaws, IdentityYaw.LiftedRenderer(sampler.Model, o.Seed, flat: true));
            identityWorld = worldIdentity
                ?? IdentityYaw.Measure(embedding, o.IdentityFaces, IdentityYaw.DefaultYaws, IdentityYaw.FaceWorldRenderer(o.Seed, sampler.Model.Config.ImageSize));
        }
        ExactTruthResult? truth = null;
        if (o.TruthSamples > 0 && StyleGan2.StyleGanCheckpoint.ReadObjective(teacherPath) == StyleGan2.TrainObjective.WorldFit)
        {
            log($"{name}: exact truth on {o.TruthSamples} samples{(o.SupervisedCheckpoint is null ? "" : " beside the supervised reference")}");
            using var reference = o.SupervisedCheckpoint is null ? null : LiftedCheckpoint.Open(o.SupervisedCheckpoint, teacherPath);
            truth = ExactTruthProtocol.Evaluate(sampler.Model, estimator, o.TruthSamples, o.Seed, o.Batch, reference);
        }
        FidResult? fidResult = null;
        if (fid is not null && teacherSet is not null && o.FidSamples > 0)
        {
            using var set = fid.Measure(new LiftedEvalSource(sampler), o.Seed, name);
            fidResult = fid.Compare(set, teacherSet);
        }
        return new ModelMetrics(name, checkpoint, steps, l1, o.ReconstructionSamples, table2, ds, identity, fidResult)
        {
            ReconstructionPerceptual = perceptual, PerceptualNetwork = network, Truth = truth,
            IdentityFlat = identityFlat, IdentityWorld = identityWorld,
        };
    }

    /// <summary>
    /// Reconstruction error for truncated styles as in training (the run's ψ), between the teacher's image and the lift's
    /// rendering at its predicted view and light: mean absolute difference over all pixels ([-1, 1] units), and the
    /// training loss's perceptual distance (multi-scale cosine on VGG16 relu2_2/3_3/4_3, the run's scales), averaged over
    /// batches of <paramref name="batch"/>. Without <paramref name="vggPath"/> the VGG16 is the run's own random-feature
    /// substitute (drawn from the run seed, as in training). Returns the network's description too.
    /// </summary>
    public static (double L1, double Perceptual, string Network) Reconstruction(LiftedSampler sampler, int count, long seed, string? vggPath = null, int batch = 8)
    {
        if (count < 1) throw new EvaluationException("reconstruction samples", $"{count}: must be at least 1");
        var config = sampler.Model.Config;
        using var perceptual = new PerceptualLoss(vggPath is null ? Vgg16Features.RandomFeatures(config.Seed) : PretrainedNetworks.LoadVgg16(vggPath),
            scales: config.PerceptualScales);
        string network = vggPath is null ? $"random-feature VGG16 substitute (seed {config.Seed})" : $"VGG16 ({Path.GetFileName(vggPath)})";
        using var z = sampler.RandomLatents(count, seed);
        using var maps = sampler.Maps(z, config.Truncation);
        double l1 = (maps.Render - maps.Teacher).abs().mean().item<float>(), sum = 0;
        using (no_grad())
            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                using var d = perceptual.Compute(maps.Render[start..(start + n)], maps.Teacher[start..(start + n)]);
                sum += d.item<float>() * n;
            }
        return (l1, sum / count, network);
    }

    /// <summary>The global step stored in a lift checkpoint.</summary>
    public static long ReadStep(string checkpoint)
    {
        var root = Checkpoints.TorchCheckpoint.Load(checkpoint) as Checkpoints.PyDict ?? throw new EvaluationException(checkpoint, "not a lift checkpoint");
        try { return root.TryGet("global_step", out var gs) ? Convert.ToInt64(gs) : 0; }
        finally { Checkpoints.TorchCheckpoint.DisposeTensors(root); }
    }
}
