using System.Diagnostics;
using System.Text;
using LiftedGan.Imaging;
using LiftedGan.IO;
using Xunit;

namespace LiftedGan.Tests.IO;

/// <summary>Leftovers of killed writes are removed by the next write into the folder; nothing else is touched.</summary>
public class AtomicFileTests
{
    [Fact]
    public void NextWriteRemovesOnlyStaleTemporariesOfOurPattern()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"atomic-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            int deadPid;
            using (var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                p.WaitForExit();
                deadPid = p.Id;
            }
            string guid = Guid.NewGuid().ToString("N");
            string stale = Path.Combine(dir, $".lift.pt.{deadPid}.{guid}.tmp");
            string live = Path.Combine(dir, $".lift.pt.{Environment.ProcessId}.{guid}.tmp");
            string foreign = Path.Combine(dir, $".lift.pt.{deadPid}.not-a-guid.tmp");
            string plain = Path.Combine(dir, "notes.tmp");
            foreach (var f in new[] { stale, live, foreign, plain }) File.WriteAllText(f, "x");

            AtomicFile.WriteAllBytes(Path.Combine(dir, "out.txt"), Encoding.ASCII.GetBytes("done"));

            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(foreign));
            Assert.True(File.Exists(plain));
            Assert.Equal("done", File.ReadAllText(Path.Combine(dir, "out.txt")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void NpyHeaderWithOverflowingShapeIsOneTypedError()
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (17179869184, 17179869184), }";
        header = header.PadRight(118) + "\n";
        var bytes = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 }
            .Concat(Encoding.ASCII.GetBytes(header)).ToArray();
        var e = Assert.Throws<NpyFormatException>(() => Npy.Parse(bytes, "huge.npy"));
        Assert.Contains("array too large", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
