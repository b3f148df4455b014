using LiftedGan.Lifting;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class IdentityEmbeddingTests
{
    [Fact]
    public void ArcFaceLossIsLowForWellSeparatedEmbeddings()
    {
        using var arc = new ArcFaceLoss(4, 4, generator: new torch.Generator(1));
        // Centres are random; embeddings equal to their normalised centres give a small loss, wrong labels a large one.
        var centres = arc.parameters().First();
        using var e = torch.nn.functional.normalize(centres.detach(), 2.0, 1);
        using var right = torch.tensor(new long[] { 0, 1, 2, 3 });
        using var wrong = torch.tensor(new long[] { 1, 2, 3, 0 });
        Assert.True(arc.forward(e, right).item<float>() < arc.forward(e, wrong).item<float>());
    }

    [Fact]
    public void TheMarginRaisesTheLossAndWarmsUpFromZero()
    {
        using var arc = new ArcFaceLoss(4, 4, margin: 0, generator: new torch.Generator(1));
        using var e = torch.nn.functional.normalize(torch.randn(4, 4, generator: new torch.Generator(2)), 2.0, 1);
        using var labels = torch.tensor(new long[] { 0, 1, 2, 3 });
        float plain = arc.forward(e, labels).item<float>();
        arc.Margin = 0.5;
        Assert.True(arc.forward(e, labels).item<float>() > plain + 0.5, "the margin must make the same embeddings cost more");

        // A warm-up run starts at margin 0: its first loss is the plain softmax loss of its first batch, below the full margin's.
        var o = new IdentityTrainingOptions { Identities = 8, ViewsPerIdentity = 2, Size = 32, Steps = 1, Batch = 8, Width = 8, Dimension = 16, Seed = 3 };
        double full = 0, warm = 0;
        IdentityEmbeddingTraining.Train(o, (_, l) => full = l).Dispose();
        IdentityEmbeddingTraining.Train(o with { MarginWarmupSteps = 10 }, (_, l) => warm = l).Dispose();
        Assert.True(warm < full - 0.5, $"warm-up first loss {warm} against {full}");
    }

    [Fact]
    public void ShortTrainingSeparatesHeldOutIdentities()
    {
        var o = new IdentityTrainingOptions { Identities = 24, ViewsPerIdentity = 4, Size = 32, Steps = 60, Batch = 32, Width = 8, Dimension = 32, Seed = 2 };
        var losses = new List<double>();
        using var net = IdentityEmbeddingTraining.Train(o, (_, l) => losses.Add(l));
        Assert.True(losses.TakeLast(10).Average() < losses.Take(10).Average(), "ArcFace loss did not fall");
        var (images, labels) = IdentityEmbeddingTraining.RenderPool(o.Seed, o.Identities, 12, 3, o.Size);
        var r = IdentityEmbeddingTraining.Evaluate(net, images, labels);
        // Same-identity pairs of unseen identities must be more similar than different-identity pairs.
        Assert.True(r.SameIdentityCosine > r.DifferentIdentityCosine + 0.05, $"same {r.SameIdentityCosine} vs different {r.DifferentIdentityCosine}");
        Assert.True(r.Rank1Accuracy > 1.0 / 12 * 2, $"rank-1 {r.Rank1Accuracy}");

        var path = Path.Combine(Path.GetTempPath(), $"ident-{Guid.NewGuid():N}.pt");
        IdentityEmbeddingTraining.Save(path, net, o.Width);
        var loaded = PretrainedNetworks.LoadFaceEmbedding(path);
        File.Delete(path);
        using var _ = torch.no_grad();
        using var a = net.Embed(images);
        using var b = loaded.Embed(images);
        Assert.True(a.eq(b).all().item<bool>());
    }

    /// <summary>An embedding that returns the image's first pixel row as its vector (the test writes the vectors there).</summary>
    sealed class RowEmbedding : IFaceEmbedding
    {
        public long Dimension => 4;
        public torch.Tensor Embed(torch.Tensor images) => torch.nn.functional.normalize(images[.., 0, 0, ..4], 2.0, 1);
    }

    [Fact]
    public void VerificationIsBalancedSoAConstantAnswerScoresChance()
    {
        // 10 identities x 3 views: 60 same pairs against 810 different ones (unbalanced, as the held-out set is).
        const int ids = 10, views = 3;
        using var labels = torch.arange(ids).repeat_interleave(views);
        var net = new RowEmbedding();

        // Every image embeds alike: plain accuracy of "always different" would be 810 / 870 = 93 %.
        using var same = torch.ones(ids * views, 1, 1, 4);
        var r = IdentityEmbeddingTraining.Evaluate(net, same, labels);
        Assert.Equal(0.5, r.VerificationAccuracy, 6);
        Assert.Equal(0.5, r.Auc, 6);
        Assert.Equal(0.0, r.TarAtFar1e3, 6);
        Assert.Equal((views - 1.0) / (ids * views - 1), r.Rank1Chance, 9);

        // One direction per identity plus small view noise: perfectly separable.
        using var g = new torch.Generator(3);
        using var centres = torch.randn(ids, 4, generator: g);
        using var images = (centres.repeat_interleave(views, 0) + 0.01 * torch.randn(ids * views, 4, generator: g)).reshape(ids * views, 1, 1, 4);
        var p = IdentityEmbeddingTraining.Evaluate(net, images, labels);
        Assert.Equal(1.0, p.VerificationAccuracy, 6);
        Assert.Equal(1.0, p.Auc, 6);
        Assert.Equal(1.0, p.TarAtFar1e3, 6);
        Assert.Equal(1.0, p.Rank1Accuracy, 6);
    }
}
