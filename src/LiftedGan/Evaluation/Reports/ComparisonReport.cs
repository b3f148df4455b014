using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiftedGan.Evaluation;

/// <summary>
/// The comparison of <see cref="MethodComparison"/> as markdown (the measured table, then the papers' own numbers
/// with what differs) and as JSON. Every measured number comes from the result passed in.
/// </summary>
public static class ComparisonReport
{
    static string F(double v, string format = "G4") =>
        double.IsNaN(v) ? "–" : double.IsPositiveInfinity(v) ? "inf" : v.ToString(format, CultureInfo.InvariantCulture);

    static string Angle(AngleStats? a) => a is null ? "–" : F(a.MeanAbs, "F2");

    static string Gain(AngleStats? a) => a is null ? "–" : F(a.Gain, "F2");

    /// <summary>The measured table (one row per method and sample set), with the samples and definitions below it.</summary>
    public static string MeasuredMarkdown(MethodComparisonResult r)
    {
        var sb = new StringBuilder();
        sb.Append("| method | samples | SIDE (×10⁻²) ↓ | MAD (°) ↓ | z-scored depth ↓ | relief (× true) | yaw (°) ↓ | yaw gain | pitch (°) ↓ | roll (°) ↓ | distinct. ↑ | ")
          .Append(CultureInfo.InvariantCulture, $"identity cos ±{string.Join("/", r.Options.IdentityYaws.Select(y => Math.Abs(y)).Distinct().Select(y => F(y)))}° ↑ | cost |\n")
          .Append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var row in r.Rows)
        {
            var s = row.Scores;
            string samples = row.Samples == r.Options.Count ? row.Samples.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"first {row.Samples}");
            string cost = row.Cost is null ? "–" : row.Cost.Source == MethodCost.None ? row.Cost.Text : $"{row.Cost.Text} ({row.Cost.Source})";
            sb.Append(CultureInfo.InvariantCulture,
                $"| {row.Label} | {samples} | {F(100 * s.Side, "F3")} | {F(s.Mad, "F2")} | {F(s.NormalizedDepth, "F3")} | {F(s.Relief, "F2")} | {Angle(s.Yaw)} | {Gain(s.Yaw)} | {Angle(s.Pitch)} | {Angle(s.Roll)} | ")
              .Append(CultureInfo.InvariantCulture, $"{(row.Canonical is { } c ? F(c.Distinctiveness, "F3") : "–")} | {F(row.IdentityCosine, "F3")} | {cost} |\n");
        }
        sb.Append('\n').Append(Definitions(r));
        return sb.ToString();
    }

    static string Definitions(MethodComparisonResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(inv, $"Samples: z ~ N(0, I) from seed {r.Options.Seed} through the world-fit teacher at ψ 1 (stored noise), scored against the world's render of each z (exact depth, view and mask); \"first N\": the first N of the same samples. Teacher vs world render L1 {F(r.All.TeacherFitL1, "F4")} (the world's mean image: {F(r.All.MeanImageL1, "F4")})."),
            "SIDE (scale-invariant depth error, reported ×10⁻²) and MAD (mean angle between normals, degrees) of the depth in each method's own predicted view on the one-pixel-eroded overlap of its valid pixels and the true foreground (spec related-systems §2.3); z-scored depth: RMS difference of the mean/std-normalised depths on that overlap (LiftedGAN Table 2's depth metric, against exact truth here).",
            "relief: the standard deviation of the log depth on that overlap over the true one's, per image, mean (1: the true depth of relief, 0: a plane facing the camera). SIDE counts a wrong amplitude as error, so a shape of the right form but twice as deep can score worse than a flat plane; yaw gain: the least-squares slope of the predicted yaw on the true yaw (1 turns as far as the truth, 0 not at all). Too deep a relief with too little turn is the depth-rotation trade-off an image of a turned face leaves open (a face turned less, with deeper relief, moves its features about as far).",
            "yaw / pitch / roll: mean absolute error against the true angles (no mean removed).",
            "distinct.: correlation of the between-face differences of the canonical depth with the true ones (0 for one shape for all).",
            string.Create(inv, $"identity cos: cosine of the face embedding between each method's reconstruction rendered at its own predicted view and the same reconstruction turned by {string.Join(" and ", r.Options.IdentityYaws.Select(y => $"{y:+0;-0}°"))} of yaw from there (mean over faces and both turns); the constant template's reconstruction is the teacher's image on the mean depth at the mean pose."),
            "constant template: the world's mean canonical depth (256 faces of another seed) at the world's mean pose, the same for every image; constant answer: a flat plane and 0°; mean shape at the true pose: the mean depth placed with the true angles (it is given the answer's pose, so it is a floor for shape, not a method).",
            "cost: training wall time for trained methods (from the checkpoint where the run stored it, else as stated on the command line), process CPU seconds per image for per-image fits, measured in this run.",
        };
        return string.Join("\n", lines.Select(l => "- " + l)) + "\n";
    }

    /// <summary>The papers' own numbers (LiftedGAN Table 2; GAN2Shape's BFM table) and what differs from the measured table.</summary>
    public static string PublishedMarkdown() =>
        """
        LiftedGAN, Table 2 (FFHQ 256 px; 1,000 StyleGAN2 samples scored against Deep3DRecon's pseudo ground truth; depth:
        distance of mean/std-normalised depth maps on their overlap; angles: each method's mean removed, degrees):

        | method | depth ↓ | yaw (°) ↓ | pitch (°) ↓ | roll (°) ↓ |
        |---|---|---|---|---|
        | Unsup3d (trained on StyleGAN2 samples) | 0.472 | 2.78 | 4.55 | 0.75 |
        | LiftedGAN | 0.435 | 1.86 | 4.77 | 1.07 |

        GAN2Shape, BFM (synface) table (Unsup3d's 3DMM-rendered faces with exact depth; SIDE ×10⁻², MAD °):

        | method | SIDE (×10⁻²) ↓ | MAD (°) ↓ |
        |---|---|---|
        | supervised | 0.419 | 10.83 |
        | constant null depth | 2.723 | 43.22 |
        | average ground-truth depth | 1.978 | 22.99 |
        | Unsup3d | 0.807 | 16.34 |
        | GAN2Shape | 0.756 | 14.81 |

        What differs: the papers train on real or 3DMM-rendered data (FFHQ, CelebA, synface) at 64–256 px for their full
        schedules with ImageNet-trained VGG16 (and, for GAN2Shape, a face parser and learned LPIPS), and score against
        Deep3DRecon's 3DMM fits (LiftedGAN) or the Basel Face Model's depth (GAN2Shape); here every method sees 64 px
        samples of this project's world-fit teacher, is scored against the procedural world's exact depth and pose,
        uses the random-feature VGG16 substitute unless weights are given, and runs a CPU-sized schedule. The numbers
        are not comparable across the two tables; the order of the methods, and their distance from the constant
        answers, are what can be compared.

        """.Replace("\r\n", "\n");

    /// <summary>The whole report: title, command, the measured table and the papers' numbers.</summary>
    public static string Markdown(MethodComparisonResult r, string command)
    {
        var sb = new StringBuilder("# Methods compared on exact truth\n\n");
        sb.Append("Produced by one command:\n\n```sh\n").Append(command).Append("\n```\n\n");
        sb.Append(MeasuredMarkdown(r));
        sb.Append("\n## The papers' own numbers\n\n").Append(PublishedMarkdown());
        return sb.ToString();
    }

    static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The result as JSON: the options, every row's numbers (NaN where not measured) and the command.</summary>
    public static string Json(MethodComparisonResult r, string command)
    {
        static object? A(AngleStats? a) => a is null ? null : new { mean_abs = a.MeanAbs, median_abs = a.MedianAbs, bias = a.Bias, gain = a.Gain };
        var doc = new
        {
            command,
            samples = r.Options.Count, seed = r.Options.Seed, batch = r.Options.Batch, costly_samples = r.Costly?.Samples ?? 0,
            identity_yaws = r.Options.IdentityYaws, teacher_fit_l1 = r.All.TeacherFitL1, mean_image_l1 = r.All.MeanImageL1,
            rows = r.Rows.Select(row => new
            {
                method = row.Method, label = row.Label, samples = row.Samples,
                side = row.Scores.Side, mad = row.Scores.Mad, z_depth = row.Scores.NormalizedDepth, relief = row.Scores.Relief, empty_overlap = row.Scores.EmptyOverlap,
                yaw = A(row.Scores.Yaw), pitch = A(row.Scores.Pitch), roll = A(row.Scores.Roll),
                canonical_r = row.Canonical?.Correlation, distinctiveness = row.Canonical?.Distinctiveness,
                identity_cos = row.Identity is null ? (double?)null : row.IdentityCosine, identity_faces = row.Identity?.Faces,
                identity_cos_per_yaw = row.Identity?.Mean,
                cost = row.Cost?.Text, cost_source = row.Cost?.Source,
            }).ToList(),
        };
        return JsonSerializer.Serialize(doc, Indented) + "\n";
    }
}
