using System.Text.Json;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Lifting;

/// <summary>`identity train` writes its log with the command as typed; `identity eval` scores a saved embedding.</summary>
public class IdentityCliTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.OneThread(args);

    [Fact]
    public void TrainLogsItsCommandOnceAndEvalScoresTheSavedEmbedding()
    {
        var dir = Directory.CreateTempSubdirectory("identity-cli").FullName;
        try
        {
            string path = Path.Combine(dir, "id.pt");
            var (code, output, err) = Run("identity", "train", "--out", path, "--identities", "6", "--views", "2", "--steps", "2", "--batch", "8",
                "--size", "32", "--seed", "3");
            Assert.True(code == 0, err + output);
            Assert.Contains("balanced verification", output);
            Assert.Contains("(chance 50 %)", output);
            using var log = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
            Assert.StartsWith("liftedgan identity train --out ", log.RootElement.GetProperty("command").GetString());
            var heldOut = log.RootElement.GetProperty("held_out");
            double auc = heldOut.GetProperty("Auc").GetDouble();
            Assert.InRange(auc, 0, 1);

            // The same held-out identities (after the 6 trained ones, same seed, 100 x 4 as train) give the same scores.
            string scores = Path.Combine(dir, "scores.json");
            var (c2, o2, e2) = Run("identity", "eval", "--ckpt", path, "--first", "6", "--size", "32", "--seed", "3", "--json", scores);
            Assert.True(c2 == 0, e2 + o2);
            using (var written = JsonDocument.Parse(File.ReadAllText(scores)))
                Assert.Equal(auc, written.RootElement.GetProperty("held_out").GetProperty("Auc").GetDouble(), 12);
            Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ROC AUC {auc:F4}"), o2);
            var (c3, _, e3) = Run("identity", "eval", "--ckpt", Path.Combine(dir, "missing.pt"));
            Assert.Equal(1, c3);
            Assert.Contains("missing.pt", e3);
        }
        finally { Directory.Delete(dir, true); }
    }
}
