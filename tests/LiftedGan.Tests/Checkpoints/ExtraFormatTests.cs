using System.Runtime.InteropServices;
using LiftedGan.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>Files made by make_fixtures.py (torch 1.13, numpy 1.24): protocol 4, Namespace, .pth.tar, numpy pickles.</summary>
public class ExtraFormatTests
{
    static double[] Doubles(Tensor t)
    {
        using var d = t.to(ScalarType.Float64).contiguous();
        return MemoryMarshal.Cast<byte, double>(d.bytes).ToArray();
    }

    [Theory]
    [InlineData("proto4_namespace_zip.pt")]
    [InlineData("proto4_namespace_legacy.pt")]
    public void Protocol4WithNamespaceAndTupleKeys(string file)
    {
        var root = (PyDict)TorchCheckpoint.Load(CheckpointTestData.File(file))!;
        try
        {
            Assert.Equal(new object?[] { "g_ema", "args", "iter", "pairs" }, root.Keys);
            var g = (PyDict)root["g_ema"]!;
            Assert.True(g.IsOrdered);
            var w = (Tensor)g["style.1.weight"]!;
            var b = (Tensor)g["style.1.bias"]!;
            Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 4.0), Doubles(w));
            Assert.Equal(new[] { 1.0, 1.25, 1.5, 1.75 }, Doubles(b));
            Assert.Equal(4, b.storage_offset());
            Assert.Equal(StorageTable.BasePointer(w), StorageTable.BasePointer(b));
            var noise = (Tensor)g["noises.noise_0"]!;
            Assert.Equal(ScalarType.Float64, noise.dtype);
            Assert.Equal(new long[] { 1, 1, 2, 3 }, noise.shape);
            Assert.Equal(new[] { -2.5, -1.5, -0.5, 0.5, 1.5, 2.5 }, Doubles(noise));

            var args = (PyDict)root["args"]!;
            Assert.False(args.IsOrdered);
            Assert.Equal(new object?[] { "size", "latent", "n_mlp", "channel_multiplier", "ckpt", "lr", "mixing", "augment", "wandb" }, args.Keys);
            Assert.Equal(256L, args["size"]);
            Assert.Equal("550000.pt", args["ckpt"]);
            Assert.Equal(0.002, args["lr"]);
            Assert.Equal(false, args["augment"]);
            Assert.Null(args["wandb"]);
            Assert.Equal(550000L, root["iter"]);

            var pairs = (PyDict)root["pairs"]!;
            Assert.True(pairs.TryGet(new PyTuple(1L, "a"), out var five));
            Assert.Equal(5L, five);
            Assert.True(pairs.TryGet(new PyTuple(2L, "b"), out var t));
            Assert.Equal(6.5, ((PyTuple)t!)[0]);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }

    [Fact]
    public void PthTarIsAZipCheckpointWithDataParallelKeys()
    {
        string path = CheckpointTestData.File("lresnet_like.pth.tar");
        Assert.Equal(CheckpointFormat.TorchZip, CheckpointFile.Detect(path));
        var sd = TorchCheckpoint.LoadStateDict(path, "model_state_dict");
        try
        {
            Assert.Equal(new[] { "module.conv1.weight", "module.bn1.running_mean", "module.bn1.num_batches_tracked" }, sd.Keys);
            Assert.Equal(Enumerable.Range(0, 8).Select(i => (double)i), Doubles(sd["module.conv1.weight"]));
            Assert.Equal(7L, sd["module.bn1.num_batches_tracked"].item<long>());
            Assert.Equal(ScalarType.Int64, sd["module.bn1.num_batches_tracked"].dtype);
        }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    [Theory]
    [InlineData("fid_stats_p2.pkl")]
    [InlineData("fid_stats_p4.pkl")]
    public void NumpyFidStatisticsPickle(string file)
    {
        var root = (PyDict)TorchCheckpoint.Load(CheckpointTestData.File(file))!;
        try
        {
            var mean = (Tensor)root["mean"]!;
            Assert.Equal(ScalarType.Float64, mean.dtype);
            Assert.Equal(new[] { 0.0, 0.5, 1.0, 1.5 }, Doubles(mean));
            var cov = (Tensor)root["cov"]!; // Fortran order in the file: logical values must be row-major arange
            Assert.Equal(new long[] { 4, 4 }, cov.shape);
            Assert.Equal(Enumerable.Range(0, 16).Select(i => (double)i), Doubles(cov));
            Assert.Equal(50000L, root["size"]);
            Assert.Equal("ffhq_256", root["path"]);
            Assert.Equal(new[] { 1.5, -2.0 }, Doubles((Tensor)root["f32"]!));
            var big = (Tensor)root["big_endian"]!;
            Assert.Equal(ScalarType.Int32, big.dtype);
            Assert.Equal(new[] { 1.0, 2.0, 3.0 }, Doubles(big));
            var flags = (Tensor)root["flags"]!;
            Assert.Equal(ScalarType.Bool, flags.dtype);
            Assert.Equal(new[] { 1.0, 0.0 }, Doubles(flags));
            Assert.Equal(7L, root["count"]);
        }
        finally { TorchCheckpoint.DisposeTensors(root); }
    }
}
