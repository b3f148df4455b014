using LiftedGan.Checkpoints;
using LiftedGan.Lifting;
using LiftedGan.Torch;
using TorchSharp;
using Xunit;

namespace LiftedGan.Tests.Lifting;

public class PretrainedNetworkTests
{
    [Fact]
    public void LResNetLoadsFromAnOfficialLayoutFileWithModulePrefixes()
    {
        using var source = SeededInit.Apply(new LResNetFaceEmbedding(), 9);
        // Official layout: {'model_state_dict': OrderedDict('module.<key>': tensor), 'epoch': ...}.
        var sd = new PyDict { IsOrdered = true };
        foreach (var (k, v) in source.state_dict()) sd.Set("module." + k, v);
        var root = new PyDict();
        root.Set("model_state_dict", sd);
        root.Set("epoch", 12L);
        var path = Path.Combine(Path.GetTempPath(), $"lresnet-{Guid.NewGuid():N}.pth.tar");
        TorchCheckpoint.Save(path, root);
        using var loaded = PretrainedNetworks.LoadLResNet(path);
        File.Delete(path);
        using var _ = torch.no_grad();
        using var x = torch.randn(2, 3, 128, 128, generator: new torch.Generator(3));
        using var a = source.Embed(x);
        using var b = loaded.Embed(x);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.All(loaded.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void AFileOfAnotherNetworkIsRejectedWithTheKeyReport()
    {
        var path = Path.Combine(Shared.RepoRoot, "tests/LiftedGan.Tests/Checkpoints/Data/lresnet_like.pth.tar");
        var e = Assert.Throws<CheckpointFormatException>(() => PretrainedNetworks.LoadLResNet(path));
        Assert.Contains("lresnet_like.pth.tar", e.Message);
        Assert.Contains("conv1.weight", e.Message);
        var v = Assert.Throws<CheckpointFormatException>(() => PretrainedNetworks.LoadVgg16(path));
        Assert.Contains("VGG16", v.Message);
    }
}
