using LiftedGan.Evaluation;
using Xunit;

namespace LiftedGan.Tests.Evaluation;

public class ResultsReportTests
{
    static ModelMetrics Row(string name, double l1, double depth) =>
        new(name, $"/runs/{name}/checkpoint_001.pth", 20, l1, 16, new Table2Result(8, depth, 1.5, 2.5, 0.5), null, null, null);

    [Fact]
    public void ComparisonCarriesEveryMeasuredNumberAndLeavesOutUnmeasuredColumns()
    {
        var rows = new[] { Row("full", 0.125, 0.4375), Row("wo_flip", 0.25, 0.75) };
        var csv = ResultsReport.ComparisonCsv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("name,steps,reconstruction_l1,reconstruction_perceptual,fid,kid,depth,yaw,pitch,roll,yaw_r,pitch_r,ds_yaw", csv[0]);
        Assert.Equal("wo_flip,20,0.25,,,,0.75,1.5,2.5,0.5,,,,,,,,,,,,,,,", csv[2]);
        // Exact-truth columns (world-fit teachers) carry the lift's row of the protocol.
        var truth = new ExactTruthResult(8, 1, 0.05,
            [new TruthScores(ExactTruthProtocol.Lift, new AngleStats(4, 3, 1), new AngleStats(2, 1.5, 0), new AngleStats(1, 0.5, 0), 0.125, 8, 0.5, 0)], 0.75, 0.625);
        var exact = ResultsReport.ComparisonCsv([rows[0] with { Truth = truth }]).Split('\n')[1];
        Assert.EndsWith(",2,4,1,0.125,8,0.625,,", exact);
        Assert.Contains("| lift | 2 / 1.5 | 4 / 3 | 1 / 0.5 | 0.125 | 8 | 0.5 |", ResultsReport.TruthMarkdown(truth));
        Assert.DoesNotContain(ExactTruthProtocol.Supervised, ResultsReport.TruthMarkdown(truth));
        // The goals table: met, not met with the distance, and not measurable without the supervised reference.
        var goals = ResultsReport.TruthMarkdown(truth);
        Assert.Contains("| yaw error ≤ 3° | 2° | yes | – |", goals);
        Assert.Contains("| distinctiveness ≥ 0.5 | 0.625 | yes | – |", goals);
        Assert.Contains("| SIDE / supervised ≤ 1.5× | – | – | not measured (no supervised reference) |", goals);
        var farther = ResultsReport.TruthMarkdown(truth with
        {
            Methods = [truth.Methods[0] with { Yaw = new AngleStats(6, 5, 0) }], Distinctiveness = 0.125,
        });
        Assert.Contains("| yaw error ≤ 3° | 6° | no | 3° above (2× the bound) |", farther);
        Assert.Contains("| distinctiveness ≥ 0.5 | 0.125 | no | 0.375 below (0.25× the bound) |", farther);
        // With the supervised reference: its row, and the lift's SIDE and MAD over its own.
        var withReference = truth with
        {
            Methods = [truth.Methods[0], new TruthScores(ExactTruthProtocol.Supervised, new AngleStats(1, 1, 0), new AngleStats(1, 1, 0), new AngleStats(1, 1, 0), 0.0625, 2, 0.25, 0)],
            SupervisedCanonicalCorrelation = 0.875, SupervisedDistinctiveness = 0.75,
        };
        Assert.EndsWith(",2,4,1,0.125,8,0.625,2,4", ResultsReport.ComparisonCsv([rows[0] with { Truth = withReference }]).Split('\n')[1]);
        var truthMd = ResultsReport.TruthMarkdown(withReference);
        Assert.Contains($"| {ExactTruthProtocol.Supervised} | 1 / 1 | 1 / 1 | 1 / 1 | 0.0625 | 2 | 0.25 |", truthMd);
        Assert.Contains("the lift's SIDE is 2× and its MAD 4× the reference's", truthMd);
        Assert.Contains("| SIDE / supervised ≤ 1.5× | 2× | no | 0.5× above (1.333× the bound) |", truthMd);
        Assert.Contains("| MAD / supervised ≤ 1.5× | 4× | no | 2.5× above (2.667× the bound) |", truthMd);
        Assert.Contains("| SIDE / supervised ↓ | MAD / supervised ↓ |", ResultsReport.ComparisonMarkdown([rows[0] with { Truth = withReference }]));

        var md = ResultsReport.ComparisonMarkdown(rows, new Dictionary<string, string> { ["wo_flip"] = "LiftedGAN w/o L_flip" });
        Assert.Contains("| LiftedGAN w/o L_flip | 20 | 0.25 | 0.75 | 1.5 | 2.5 | 0.5 |", md);
        Assert.DoesNotContain("FID", md);
        Assert.DoesNotContain("DS yaw", md);
        Assert.Contains("on 8 teacher samples", md);
        Assert.DoesNotContain("perceptual", md);
        Assert.DoesNotContain("yaw r", md);

        var withPerceptual = ResultsReport.ComparisonMarkdown(new[] { rows[0] with { ReconstructionPerceptual = 0.0625, PerceptualNetwork = "VGG16 (v.pth)" } });
        Assert.Contains("| full | 20 | 0.125 | 0.0625 | 0.4375 |", withPerceptual);
        Assert.Contains("with the VGG16 (v.pth)", withPerceptual);
        Assert.Throws<EvaluationException>(() => ResultsReport.WriteComparison(Path.GetTempPath(), "x", Array.Empty<ModelMetrics>(), null, ""));
    }
}
