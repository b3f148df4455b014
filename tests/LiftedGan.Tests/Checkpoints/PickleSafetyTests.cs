using System.Text;
using LiftedGan.Checkpoints;
using Xunit;

namespace LiftedGan.Tests.Checkpoints;

/// <summary>Hand-crafted hostile pickles: every global outside the allow-list is refused and nothing runs.</summary>
public class PickleSafetyTests
{
    static readonly string Marker = Path.Combine(Path.GetTempPath(), $"liftedgan-pwned-{Guid.NewGuid():N}");

    static byte[] B(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var p in parts)
        {
            switch (p)
            {
                case string s: bytes.AddRange(Encoding.Latin1.GetBytes(s)); break;
                case byte[] b: bytes.AddRange(b); break;
                case int i: bytes.Add((byte)i); break;
                default: throw new ArgumentException(p.GetType().Name);
            }
        }
        return bytes.ToArray();
    }

    static byte[] Unicode(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return B("X", BitConverter.GetBytes(utf8.Length), utf8);
    }

    /// <summary>protocol 2: GLOBAL module name, one string argument, REDUCE.</summary>
    static byte[] CallWithGlobal(string module, string name, string arg) =>
        B(0x80, 2, $"c{module}\n{name}\n", Unicode(arg), 0x85, "R", ".");

    /// <summary>protocol 4: STACK_GLOBAL from two short strings, one argument, REDUCE, inside a FRAME.</summary>
    static byte[] CallWithStackGlobal(string module, string name, string arg)
    {
        var body = B(0x8c, module.Length, module, 0x94, 0x8c, name.Length, name, 0x94, 0x93, 0x94, Unicode(arg), 0x85, "R", 0x94, ".");
        return B(0x80, 4, 0x95, BitConverter.GetBytes((long)body.Length), body);
    }

    static readonly byte[] LegacyPrefix = B(
        0x80, 2, 0x8a, 10, new byte[] { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 }, ".",
        0x80, 2, "M", 0xe9, 0x03, ".",
        0x80, 2, "}", ".");

    static byte[] InZip(byte[] pickle)
    {
        using var ms = new MemoryStream();
        var zip = new StoredZipWriter(ms, "test");
        zip.Add("evil/data.pkl", pickle);
        zip.Add("evil/version", "3\n"u8.ToArray());
        zip.Finish();
        return ms.ToArray();
    }

    public static IEnumerable<object[]> Hostile()
    {
        string cmd = $"touch {Marker}";
        foreach (var (module, name) in new[] { ("os", "system"), ("posix", "system"), ("builtins", "eval"), ("builtins", "exec"),
                     ("__builtin__", "eval"), ("subprocess", "Popen"), ("builtins", "getattr"), ("torch.storage", "_load_from_bytes"),
                     ("torch", "load"), ("numpy", "load"), ("collections", "defaultdict"), ("torch._utils", "_rebuild_device_tensor_from_numpy") })
        {
            yield return new object[] { "plain GLOBAL", CallWithGlobal(module, name, cmd), $"{module}.{name}" };
            yield return new object[] { "plain STACK_GLOBAL", CallWithStackGlobal(module, name, cmd), $"{module}.{name}" };
            yield return new object[] { "torch zip", InZip(CallWithGlobal(module, name, cmd)), $"{module}.{name}" };
            yield return new object[] { "torch legacy", B(LegacyPrefix, CallWithStackGlobal(module, name, cmd)), $"{module}.{name}" };
        }
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void DisallowedGlobalIsRefusedWithTypedErrorAndNothingRuns(string container, byte[] file, string global)
    {
        string path = CheckpointTestData.TempPath(".pt");
        File.WriteAllBytes(path, file);
        try
        {
            var e = Assert.Throws<UnsafePickleException>(() => TorchCheckpoint.Load(path));
            Assert.Equal(global, e.GlobalName);
            Assert.Equal(path, e.Path);
            Assert.StartsWith($"{path}: ", e.Message);
            Assert.Contains(global, e.Message);
            Assert.IsAssignableFrom<CheckpointException>(e);
            Assert.False(File.Exists(Marker), $"{container}: the command ran");
        }
        finally { File.Delete(path); }
    }

    public static IEnumerable<object[]> Malformed() => new[]
    {
        new object[] { "INST opcode (protocol 0 class call)", B(0x80, 2, "(", "ios\nsystem\n", ".") },
        new object[] { "OBJ opcode", B(0x80, 2, "(", "ccollections\nOrderedDict\n", "o", ".") },
        new object[] { "EXT1 extension registry", B(0x80, 2, 0x82, 1, ".") },
        new object[] { "out-of-band buffer", B(0x80, 5, 0x97, ".") },
        new object[] { "numpy _reconstruct of another type", B(0x80, 2, "cnumpy.core.multiarray\n_reconstruct\n", "ccollections\nOrderedDict\n", ")", "C", 1, "b", 0x87, "R", ".") },
        new object[] { "_codecs.encode to another codec", B(0x80, 2, "c_codecs\nencode\n", Unicode("x"), Unicode("rot13"), 0x86, "R", ".") },
        new object[] { "calling a non-callable", B(0x80, 2, "K", 1, ")", "R", ".") },
        new object[] { "memo read never written", B(0x80, 2, "h", 7, ".") },
        new object[] { "stack underflow", B(0x80, 2, "0", ".") },
        new object[] { "string longer than file", B(0x80, 2, "X", 0xff, 0xff, 0xff, 0x7f, "abc") },
        new object[] { "bytes8 longer than file", B(0x80, 4, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, "abc") },
        new object[] { "huge LONG4", B(0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3) },
        new object[] { "no STOP", B(0x80, 2, "K", 1) },
        new object[] { "persistent id in a plain pickle", B(0x80, 2, Unicode("storage"), "Q", ".") },
        new object[] { "unhashable dict key", B(0x80, 2, "}", "]", "K", 1, "s", ".") },
        new object[] { "BUILD on a list", B(0x80, 2, "]", "}", "b", ".") },
        new object[] { "global as dict key", B(0x80, 2, "}", "ccollections\nOrderedDict\n", "K", 1, "s", ".") },
        new object[] { "tuple key holding a dict", B(0x80, 2, "}", "}", 0x85, "K", 1, "s", ".") },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedPickleGivesFormatError(string what, byte[] file)
    {
        using var stream = new MemoryStream(file);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(stream, what));
        Assert.StartsWith($"{what}: ", e.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void DeeplyNestedListsGiveFormatErrorNotStackOverflow()
    {
        var body = new List<byte> { 0x80, 2 };
        for (int i = 0; i < 100_000; i++) body.Add((byte)']');
        for (int i = 0; i < 100_000 - 1; i++) body.Add((byte)'a');
        body.Add((byte)'.');
        using var stream = new MemoryStream(body.ToArray());
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(stream, "nested"));
        Assert.Contains("nested deeper", e.Message);
    }
}
