using LiftedGan.Data;
using LiftedGan.Evaluation;
using LiftedGan.Lifting;
using Xunit;

namespace LiftedGan.Tests.Data;

/// <summary>
/// A face embedding trained and verified on real photos: identity folders, LFW's pairs.txt, the 10-fold protocol,
/// and `identity train|eval --prepared` on the committed 24-photo LFW sample.
/// </summary>
public class PhotoIdentityTests
{
    static string Temp(string name) => Directory.CreateTempSubdirectory($"liftedgan-photo-id-{name}-").FullName;

    [Fact]
    public void PairsFileIsReadByFoldAndKindAndBadLinesNameTheLine()
    {
        var dir = Temp("pairs");
        try
        {
            string path = Path.Combine(dir, "pairs.txt");
            File.WriteAllLines(path, ["2 1", "A 1 2", "A 1 B 3", "C 2 4", "B 1 C 1"]);
            var pairs = LfwPairs.Read(path);
            Assert.Equal(
                [new LfwPair(0, true, "A", 1, "A", 2), new LfwPair(0, false, "A", 1, "B", 3), new LfwPair(1, true, "C", 2, "C", 4), new LfwPair(1, false, "B", 1, "C", 1)],
                pairs);

            File.WriteAllLines(path, ["2 1", "A 1 2", "A 1 B", "C 2 4", "B 1 C 1"]);
            var e = Assert.Throws<DataPreparationException>(() => LfwPairs.Read(path));
            Assert.Equal(path, e.Subject);
            Assert.Contains("line 3", e.Message);
            File.WriteAllLines(path, ["2 1", "A 1 2"]);
            Assert.Contains("header promises", Assert.Throws<DataPreparationException>(() => LfwPairs.Read(path)).Message);
            File.WriteAllLines(path, ["ten", "A 1 2"]);
            Assert.Contains("line 1", Assert.Throws<DataPreparationException>(() => LfwPairs.Read(path)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TenFoldAccuracyFollowsTheSeparationOfTheCosines()
    {
        // Two folds; same pairs score above different ones except one crossed pair in fold 1.
        double[] cosine = [0.9, 0.8, 0.1, 0.2, 0.7, 0.15, 0.3, 0.75];
        bool[] same = [true, true, false, false, true, false, false, true];
        int[] fold = [0, 0, 0, 0, 1, 1, 1, 1];
        bool[] clean = [false, false, false, true, true, true, true, false];
        var r = PairVerification.Evaluate(cosine, same, fold, clean);
        Assert.Equal(8, r.Pairs);
        Assert.Equal(2, r.Folds);
        Assert.Equal(1.0, r.FoldAccuracy, 6);  // a threshold between 0.3 and 0.7 separates every pair
        Assert.Equal(1.0, r.Auc, 6);
        Assert.Equal((1, 3), (r.CleanSame, r.CleanDifferent));
        Assert.Equal(1.0, r.CleanAuc, 6);

        // Swapping the labels of the held-out fold's pairs makes the chosen threshold wrong there.
        bool[] crossed = [true, true, false, false, false, true, true, false];
        var worse = PairVerification.Evaluate(cosine, crossed, fold, clean);
        Assert.True(worse.FoldAccuracy < 0.76, $"fold accuracy {worse.FoldAccuracy}");
        Assert.True(worse.Auc < r.Auc);

        // Constant cosines are chance whatever the threshold.
        var constant = PairVerification.Evaluate(Enumerable.Repeat(0.5, 8).ToList(), same, fold, clean);
        Assert.Equal(0.5, constant.Auc, 6);
        Assert.Equal(0.5, constant.FoldAccuracy, 6);
    }

    [Fact]
    public void IdentityFolderKeepsIdentitiesWithEnoughPhotos()
    {
        var dir = Temp("folder");
        try
        {
            LfwPreparation.Prepare(LfwPreparationTests.Sample, 64, dir, heldOutFraction: 0.25, seed: 3);
            string train = Path.Combine(dir, LfwPreparation.TrainSplit);
            var victim = Directory.EnumerateDirectories(train).Order(StringComparer.Ordinal).First();
            foreach (var f in Directory.EnumerateFiles(victim).Skip(1)) File.Delete(f);
            using var photos = IdentityFolder.Load(train, 32);
            Assert.Equal(5, photos.Identities.Count);
            Assert.DoesNotContain(Path.GetFileName(victim), photos.Identities);
            Assert.Equal(new long[] { 15, 3, 32, 32 }, photos.Images.shape);
            Assert.Equal(Enumerable.Range(0, 5).SelectMany(i => Enumerable.Repeat((long)i, 3)), photos.Labels.data<long>().ToArray());
            Assert.Contains("need 2", Assert.Throws<DataPreparationException>(() => IdentityFolder.Load(train, 32, minImages: 4)).Message);
            Assert.Throws<DataPreparationException>(() => IdentityFolder.Load(Path.Combine(dir, "missing"), 32));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void IdentityTrainOnPreparedPhotosStoresItsIdentitiesAndVerifiesHeldOutAndPairs()
    {
        var dir = Temp("cli");
        try
        {
            string prepared = Path.Combine(dir, "prepared");
            LfwPreparation.Prepare(LfwPreparationTests.Sample, 64, prepared, heldOutFraction: 0.25, seed: 3);
            var splits = LfwPairs.Splits(prepared);
            var heldOut = splits.Where(kv => kv.Value == LfwPreparation.HeldOutSplit).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            var trainIds = splits.Where(kv => kv.Value == LfwPreparation.TrainSplit).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            string pairs = Path.Combine(dir, "pairs.txt");
            File.WriteAllLines(pairs, ["1 2", $"{heldOut[0]} 1 2", $"{trainIds[0]} 1 3", $"{heldOut[0]} 1 {heldOut[1]} 2", $"{trainIds[1]} 2 {heldOut[1]} 1"]);
            string model = Path.Combine(dir, "id.pt");

            var (code, stdout, stderr) = CliRunner.OneThread("identity", "train", "--prepared", prepared, "--pairs", pairs, "--steps", "3",
                "--batch", "8", "--size", "32", "--out", model);
            Assert.True(code == 0, stderr);
            Assert.Contains("held-out photos", stdout);
            Assert.Contains("2 identities with at least 2 photos, 6 photos", stdout);
            Assert.Contains("LFW pairs: 4 pairs, 1-fold accuracy", stdout);
            Assert.Contains("pairs of identities not trained on: 1 same, 1 different", stdout);
            Assert.Equal(trainIds, IdentityEmbeddingTraining.TrainedIdentities(model));
            string packed = Path.Combine(dir, "id16.pt");
            var pack = CliRunner.OneThread("pack", model, "--fp16", "--out", packed);
            Assert.True(pack.Code == 0, pack.Err);
            Assert.Equal(trainIds, IdentityEmbeddingTraining.TrainedIdentities(packed));

            var eval = CliRunner.OneThread("identity", "eval", "--face-embedding", model, "--prepared", prepared, "--pairs", pairs, "--size", "32");
            Assert.True(eval.Code == 0, eval.Err);
            Assert.Contains("pairs of identities not trained on: 1 same, 1 different", eval.Out);

            var bad = CliRunner.OneThread("identity", "eval", "--face-embedding", model, "--pairs", pairs);
            Assert.NotEqual(0, bad.Code);
            Assert.Contains("--pairs needs --prepared", bad.Err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
