using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiftedGan.Cli.Hosting;
using LiftedGan.Tests.Export;
using LiftedGan.Viewer;
using SharpGLTF.Schema2;
using Xunit;

namespace LiftedGan.Tests.Viewer;

/// <summary>The viewer without a browser: the static site's files, the server's answers, the `view` command's checks.</summary>
[Collection(ViewerFixture.Collection)]
public class ViewerSiteTests(ViewerFixture fixture)
{
    /// <summary>The faces a static site's config.js lists.</summary>
    static JsonElement StaticFaces(string site)
    {
        string config = File.ReadAllText(Path.Combine(site, ViewerSite.ConfigFileName));
        var json = config["window.LIFTEDGAN_VIEWER = ".Length..].TrimEnd().TrimEnd(';');
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal("static", root.GetProperty("mode").GetString());
        return root.GetProperty("faces").Clone();
    }

    /// <summary>Checks that a GLB parses with SharpGLTF into one textured mesh of <paramref name="vertices"/> vertices.</summary>
    static void AssertGlb(byte[] glb, int vertices, int triangles)
    {
        var model = ModelRoot.ParseGLB(glb);
        var primitive = model.LogicalMeshes.Single().Primitives.Single();
        Assert.Equal(vertices, primitive.GetVertexAccessor("POSITION").AsVector3Array().Count);
        Assert.Equal(triangles, primitive.GetTriangleIndices().Count());
        Assert.True(primitive.Material.FindChannel("BaseColor")!.Value.Texture.PrimaryImage.Content.IsPng);
    }

    [Fact]
    public void StaticSiteHoldsThePageThreeJsAndEveryFaceFileOffline()
    {
        string site = fixture.StaticSite;
        foreach (var asset in ViewerSite.AssetFiles) Assert.True(File.Exists(Path.Combine(site, asset)), asset);
        // The page's three.js is the vendored bundle, byte for byte, with its licence beside it.
        string vendor = Path.Combine(Shared.RepoRoot, "src", "LiftedGan", "Viewer", "vendor");
        Assert.Equal(File.ReadAllBytes(Path.Combine(vendor, "three-viewer.min.js")), File.ReadAllBytes(Path.Combine(site, "three-viewer.min.js")));
        Assert.Contains("MIT License", File.ReadAllText(Path.Combine(site, "LICENSE-three.txt")));
        // No network: nothing the page, its script or its style names is remote or absolute.
        foreach (var file in new[] { "index.html", "viewer.js", "viewer.css" })
            Assert.DoesNotMatch(new Regex(@"(https?:|//[a-z])|(src|href)=""/", RegexOptions.IgnoreCase), File.ReadAllText(Path.Combine(site, file)).Replace("// ", ""));

        var faces = StaticFaces(site).EnumerateArray().ToList();
        Assert.Equal(ViewerFixture.StaticSeeds, faces.Select(f => f.GetProperty("seed").GetInt64()));
        foreach (var face in faces)
        {
            var files = face.GetProperty("files");
            foreach (var file in files.EnumerateObject())
                Assert.True(File.Exists(Path.Combine(site, file.Value.GetString()!)), $"{file.Name}: {file.Value}");
            byte[] glb = File.ReadAllBytes(Path.Combine(site, files.GetProperty("glb").GetString()!));
            AssertGlb(glb, face.GetProperty("vertices").GetInt32(), face.GetProperty("triangles").GetInt32());
            // The script copy of the GLB (what a page opened from disk loads) holds the same bytes.
            string script = File.ReadAllText(Path.Combine(site, files.GetProperty("glbScript").GetString()!));
            var base64 = Regex.Match(script, @"\] = ""([A-Za-z0-9+/=]+)"";").Groups[1].Value;
            Assert.Equal(glb, Convert.FromBase64String(base64));
            var light = face.GetProperty("light");
            Assert.InRange(light.GetProperty("ambient").GetDouble(), 0, 1);
            Assert.InRange(light.GetProperty("horizontal").GetDouble(), -90, 90);
            Assert.Equal(fixture.Sampler.Model.Renderer.Options.FieldOfViewDegrees, face.GetProperty("camera").GetProperty("fieldOfView").GetDouble());
        }
        // Two faces are two different meshes; the same seed again is the same face bit for bit.
        string Glb(int i) => Path.Combine(site, faces[i].GetProperty("files").GetProperty("glb").GetString()!);
        Assert.NotEqual(File.ReadAllBytes(Glb(0)), File.ReadAllBytes(Glb(1)));
        string againSite = fixture.NewPath("again");
        var again = ViewerFaces.Export(fixture.Sampler, ViewerFixture.StaticSeeds[0], fixture.Truncation, againSite);
        Assert.Equal(File.ReadAllBytes(Glb(0)), File.ReadAllBytes(Path.Combine(againSite, again.Files.Glb)));
        Assert.Equal(faces[0].GetProperty("vertices").GetInt32(), again.Vertices);
    }

    [Fact]
    public async Task ServerAnswersThePageFacesOfAnySeedAndItsGlbParses()
    {
        string site = fixture.NewPath("served");
        var session = new ViewerSession(fixture.Sampler, fixture.Truncation, 11, site);
        var (app, address) = await ViewerHost.StartAsync(session, 0, TextWriter.Null);
        try
        {
            using var http = new HttpClient { BaseAddress = address };
            string page = await http.GetStringAsync("");
            Assert.Contains("LiftedGan.NET 3D viewer", page);
            Assert.Contains("\"mode\":\"server\",\"seed\":11", await http.GetStringAsync(ViewerSite.ConfigFileName));

            using var face = JsonDocument.Parse(await http.GetStringAsync("api/face?seed=12"));
            Assert.Equal(12, face.RootElement.GetProperty("seed").GetInt64());
            var files = face.RootElement.GetProperty("files");
            using var glb = await http.GetAsync(files.GetProperty("glb").GetString());
            Assert.Equal(HttpStatusCode.OK, glb.StatusCode);
            Assert.Equal("model/gltf-binary", glb.Content.Headers.ContentType?.MediaType);
            AssertGlb(await glb.Content.ReadAsByteArrayAsync(), face.RootElement.GetProperty("vertices").GetInt32(), face.RootElement.GetProperty("triangles").GetInt32());
            foreach (var name in new[] { "obj", "mtl", "texture", "ply", "teacher", "lifted" })
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(files.GetProperty(name).GetString())).StatusCode);

            foreach (var bad in new[] { "-1", "abc", "9007199254740992" })
            {
                using var refused = await http.GetAsync("api/face?seed=" + bad);
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.StartsWith("seed", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
            }
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("faces/seed-99/00001.glb")).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public void ViewCommandWritesAStaticPageOfTheShippedModelsAndRefusesHalfAModel()
    {
        string outDir = fixture.NewPath("cli");
        var (code, output, err) = LiftFixture.Run("view", "--models", fixture.Models, "--out", outDir, "--n", "2", "--seed", "7");
        Assert.True(code == 0, err + output);
        Assert.Contains($"open {Path.GetFullPath(Path.Combine(outDir, ViewerSite.PageFileName))}", output);
        Assert.Equal(new long[] { 7, 8 }, StaticFaces(outDir).EnumerateArray().Select(f => f.GetProperty("seed").GetInt64()));

        (code, _, err) = LiftFixture.Run("view", "--ckpt", Path.Combine(fixture.Models, "x.pth"), "--out", outDir);
        Assert.Equal(1, code);
        Assert.StartsWith("liftedgan: error: --ckpt and --stylegan go together", err);
        (code, _, err) = LiftFixture.Run("view", "--models", fixture.Models, "--port", "70000");
        Assert.Equal(1, code);
        Assert.StartsWith("liftedgan: error: --port 70000: must be between 0 and 65535", err);
    }
}
