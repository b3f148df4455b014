using LiftedGan.Data;
using LiftedGan.Imaging;
using LiftedGan.Lifting;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation;

/// <summary>
/// A face embedding scored on real photos: all pairs of a held-out identity folder (the protocol of
/// <see cref="IdentityEmbeddingTraining.Evaluate"/>), and LFW's pairs.txt (<see cref="PairVerification"/>).
/// </summary>
public static class PhotoVerification
{
    const int Chunk = 256;

    /// <summary>Verification over every pair of images of a folder with one subfolder per identity (identities with ≥ <paramref name="minImages"/>).</summary>
    public static (VerificationResult Result, int Identities, int Images) OnFolder(IFaceEmbedding net, string folder, int size, int minImages = 2)
    {
        using var photos = IdentityFolder.Load(folder, size, minImages);
        using var images = photos.Float();
        return (IdentityEmbeddingTraining.Evaluate(net, images, photos.Labels), photos.Identities.Count, (int)photos.Labels.shape[0]);
    }

    /// <summary>
    /// LFW's 10-fold verification of pairs.txt on the images of a folder `data lfw` prepared; a pair is clean when
    /// neither of its identities is in <paramref name="trainedIdentities"/>.
    /// </summary>
    public static PairVerificationResult OnPairs(IFaceEmbedding net, string pairsFile, string prepared, int size, IReadOnlyCollection<string> trainedIdentities)
    {
        var pairs = LfwPairs.Read(pairsFile);
        var splits = LfwPairs.Splits(prepared);
        var paths = pairs.Select(p => (A: LfwPairs.ImagePath(prepared, splits, p.IdentityA, p.IndexA), B: LfwPairs.ImagePath(prepared, splits, p.IdentityB, p.IndexB))).ToList();
        var files = paths.SelectMany(p => new[] { p.A, p.B }).Distinct().ToList();
        var row = files.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
        using var embeddings = Embed(net, files, size);
        var cosine = new double[pairs.Count];
        using (var scope = NewDisposeScope())
        {
            var a = tensor(paths.Select(p => (long)row[p.A]).ToArray());
            var b = tensor(paths.Select(p => (long)row[p.B]).ToArray());
            var c = (embeddings.index_select(0, a) * embeddings.index_select(0, b)).sum(1).to(ScalarType.Float64);
            c.data<double>().CopyTo(cosine, 0);
        }
        var trained = trainedIdentities.ToHashSet(StringComparer.Ordinal);
        return PairVerification.Evaluate(cosine, pairs.Select(p => p.Same).ToList(), pairs.Select(p => p.Fold).ToList(),
            pairs.Select(p => !trained.Contains(p.IdentityA) && !trained.Contains(p.IdentityB)).ToList());
    }

    /// <summary>(N, D) embeddings of image files, read at <paramref name="size"/> and embedded in chunks.</summary>
    static Tensor Embed(IFaceEmbedding net, IReadOnlyList<string> files, int size)
    {
        using var _ = no_grad();
        var parts = new List<Tensor>();
        try
        {
            for (int at = 0; at < files.Count; at += Chunk)
            {
                using var scope = NewDisposeScope();
                var batch = stack(files.Skip(at).Take(Chunk).Select(f => ImageIO.SquareBytes(ImageIO.Load(f), size)).ToList());
                parts.Add(net.Embed(batch.to(ScalarType.Float32) / 127.5 - 1).MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally { parts.ForEach(t => t.Dispose()); }
    }
}
