using LiftedGan.IO;
using LiftedGan.Imaging;
using LiftedGan.Lifting;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Export;

[Collection(LiftFixture.Collection)]
public class SamplingCliTests(LiftFixture fixture)
{
    string[] Common(string outDir, params string[] more) =>
        new[] { "--ckpt", fixture.Checkpoint, "--stylegan", fixture.Teacher, "--out", outDir }.Concat(more).ToArray();

    static void Ok((int Code, string Out, string Err) r) => Assert.True(r.Code == 0, r.Err + r.Out);

    static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void GenerateIsBitwiseReproducibleAndReplaysItsSavedLatents()
    {
        string a = fixture.NewPath("gen-a"), b = fixture.NewPath("gen-b"), c = fixture.NewPath("gen-c");
        Ok(LiftFixture.Run(["generate", .. Common(a, "--n", "3", "--seed", "7")]));
        Ok(LiftFixture.Run(["generate", .. Common(b, "--n", "3", "--seed", "7")]));
        Ok(LiftFixture.Run(["generate", .. Common(c, "--latents", Path.Combine(a, "latents.npy"))]));
        var fa = Files(a);
        foreach (var name in new[] { "latents.npy", "sheet.png", "00001.png", "00003.png", "00002_teacher.png", "00002_depth.png", "00002_normal.png", "00002_shading.png", "00002_albedo.png" })
            Assert.True(fa.ContainsKey(name), $"missing {name}");
        Assert.Equal("00001.png\n00002.png\n00003.png\n", System.Text.Encoding.UTF8.GetString(fa["manifest.txt"]));
        foreach (var other in new[] { Files(b), Files(c) })
        {
            Assert.Equal(fa.Keys.Order(), other.Keys.Order());
            foreach (var (name, bytes) in fa) Assert.True(bytes.AsSpan().SequenceEqual(other[name]), $"{name} differs");
        }
        // Another seed gives other faces; the saved latents are the N x style z that was used.
        string d = fixture.NewPath("gen-d");
        Ok(LiftFixture.Run(["generate", .. Common(d, "--n", "3", "--seed", "8")]));
        Assert.False(File.ReadAllBytes(Path.Combine(d, "00001.png")).AsSpan().SequenceEqual(fa["00001.png"]));
        using var z = Npy.Load(Path.Combine(a, "latents.npy"));
        Assert.Equal(new long[] { 3, 32 }, z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
    }

    [Fact]
    public void SweepCommandsWriteOneFramePerOfficialAngle()
    {
        using var sampler = LiftedSampler.Open(fixture.Checkpoint, fixture.Teacher);
        int s = sampler.ImageSize;
        int Strip(int frames) => frames * (s + 2) + 2;

        string yaw = fixture.NewPath("yaw");
        Ok(LiftFixture.Run(["rotate", .. Common(yaw, "--n", "1", "--axis", "yaw")]));
        using (var strip = ImageIO.Load(Path.Combine(yaw, "1_strip.png"))) Assert.Equal(Strip(31), strip.shape[2]);
        Assert.True(File.Exists(Path.Combine(yaw, "1.gif")));

        string light = fixture.NewPath("light");
        Ok(LiftFixture.Run(["relight", .. Common(light, "--n", "1")]));
        using (var strip = ImageIO.Load(Path.Combine(light, "1_strip.png"))) Assert.Equal(Strip(21), strip.shape[2]);
        using (var shading = ImageIO.Load(Path.Combine(light, "1_shading_strip.png"))) Assert.Equal(Strip(21), shading.shape[2]);

        string side = fixture.NewPath("side");
        Ok(LiftFixture.Run(["sideview", .. Common(side, "--n", "1")]));
        using (var strip = ImageIO.Load(Path.Combine(side, "1_shape_strip.png"))) Assert.Equal(Strip(9), strip.shape[2]);
        Assert.True(File.Exists(Path.Combine(side, "1_normals.gif")));

        string interp = fixture.NewPath("interp");
        Ok(LiftFixture.Run(["interpolate", .. Common(interp, "--steps", "3", "--yaws", "-20,0,20")]));
        using (var grid = ImageIO.Load(Path.Combine(interp, "interpolation.png")))
        {
            Assert.Equal(Strip(3), grid.shape[1]);
            Assert.Equal(Strip(3), grid.shape[2]);
        }

        // The yaw sweep's frames are the official views: frame t renders raw view PoseView(Yaw, -45 + 3t).
        using var z = sampler.LoadLatents(Path.Combine(yaw, "latents.npy"));
        using var frames = sampler.PoseSweep(z, PoseAxis.Yaw, sampler.Model.Config.Truncation);
        Assert.Equal(new long[] { 1, 31, 3, s, s }, frames.shape);
        using var first = frames[0, 0];
        using var last = frames[0, 30];
        Assert.True((first - last).abs().max().item<float>() > 0.05, "yaw sweep frames should differ");
        // --max-angle 45 spans the same 31 angles as the official yaw sweep; 30 stops short of it.
        using (var same = sampler.PoseSweep(z, PoseAxis.Yaw, sampler.Model.Config.Truncation, 45)) Assert.True(same.equal(frames).all().item<bool>());
        using (var narrow = sampler.PoseSweep(z, PoseAxis.Yaw, sampler.Model.Config.Truncation, 30))
        {
            Assert.True(narrow[0, 15].equal(frames[0, 15]).all().item<bool>(), "the middle frame is frontal in both");
            Assert.False(narrow[0, 0].equal(first).all().item<bool>());
        }
        Assert.Throws<SamplingException>(() => sampler.PoseSweep(z, PoseAxis.Yaw, 0.7, 120));
        Assert.Equal(new[] { 0, -45.0 / 60, 0, Math.Sin(-45.0 / 60) * 0.1, 0, 0 }, LiftedSampler.PoseView(PoseAxis.Yaw, 45));
        Assert.Equal(new[] { 15.0 / 60, 0, 0, 0, -Math.Sin(15.0 / 60) * 0.2, 0 }, LiftedSampler.PoseView(PoseAxis.Pitch, 15));
        Assert.Equal((31, -45.0, 45.0), (LiftedSampler.YawAngles.Count, LiftedSampler.YawAngles[0], LiftedSampler.YawAngles[^1]));
        Assert.Equal((31, -15.0, 15.0), (LiftedSampler.PitchAngles.Count, LiftedSampler.PitchAngles[0], LiftedSampler.PitchAngles[^1]));
        Assert.Equal((21, -60.0, 60.0), (LiftedSampler.LightAngles.Count, LiftedSampler.LightAngles[0], LiftedSampler.LightAngles[^1]));
    }

    [Fact]
    public void CompareOfACheckpointWithItselfGivesEqualColumns()
    {
        string dir = fixture.NewPath("cmp");
        Ok(LiftFixture.Run("compare", "--ckpt", fixture.Checkpoint, "--ckpt", fixture.Checkpoint, "--stylegan", fixture.Teacher, "--n", "2", "--out", dir));
        using var sheet = ImageIO.Load(Path.Combine(dir, "compare.png"));
        using var sampler = LiftedSampler.Open(fixture.Checkpoint, fixture.Teacher);
        long s = sampler.ImageSize;
        Assert.Equal(5 * (s + 2) + 2, sheet.shape[2]);
        Assert.Equal(2 * (s + 2) + 2, sheet.shape[1]);
        // Column 1 (lifted A) equals column 3 (lifted B): same latents, same checkpoint.
        using var a = sheet[.., 2..(int)(2 + s), (int)(2 + (s + 2))..(int)(2 + (s + 2) + s)];
        using var b = sheet[.., 2..(int)(2 + s), (int)(2 + 3 * (s + 2))..(int)(2 + 3 * (s + 2) + s)];
        Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void BadInputsAreOneClearErrorLine()
    {
        string dir = fixture.NewPath("bad");
        Directory.CreateDirectory(dir);
        string wrongShape = Path.Combine(dir, "z7.npy"), wrongType = Path.Combine(dir, "zint.npy"), file = Path.Combine(dir, "afile");
        using (var z = randn(2, 7)) Npy.Save(wrongShape, z);
        using (var z = ones(new long[] { 2, 32 }, dtype: ScalarType.Int64)) Npy.Save(wrongType, z);
        using (var z = randn(1, 32)) Npy.Save(Path.Combine(dir, "one.npy"), z);
        File.WriteAllText(file, "x");

        void Fails(string expected, params string[] args)
        {
            var (code, output, err) = LiftFixture.Run(args);
            Assert.True(code == 1, $"exit {code}: {err}{output}");
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("liftedgan: error: ", lines[0]);
            Assert.Contains(expected, lines[0]);
        }

        Fails("N x 32", ["generate", .. Common(fixture.NewPath("o1"), "--latents", wrongShape)]);
        Fails("float32", ["rotate", .. Common(fixture.NewPath("o2"), "--latents", wrongType)]);
        Fails("output path is a file", ["export-mesh", .. Common(file)]);
        Fails("StyleGAN2 checkpoint", "generate", "--ckpt", fixture.Teacher, "--stylegan", fixture.Teacher, "--out", fixture.NewPath("o3"));
        Fails("lift checkpoint not found", "relight", "--ckpt", Path.Combine(dir, "missing.pth"), "--stylegan", fixture.Teacher, "--out", fixture.NewPath("o4"));
        Fails("--axis roll", ["rotate", .. Common(fixture.NewPath("o5"), "--axis", "roll")]);
        Fails("--formats 'stl'", ["export-mesh", .. Common(fixture.NewPath("o6"), "--formats", "stl")]);
        Fails("exactly two", "compare", "--ckpt", fixture.Checkpoint, "--stylegan", fixture.Teacher, "--out", fixture.NewPath("o7"));
        Fails("needs at least 2 latents", ["interpolate", .. Common(fixture.NewPath("o8"), "--latents", Path.Combine(dir, "one.npy"))]);
    }
}
