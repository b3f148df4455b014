using System.Text.Json;
using LiftedGan.Cli.Hosting;
using LiftedGan.Viewer;
using SharpGLTF.Schema2;
using StbImageSharp;
using Xunit;

namespace LiftedGan.Tests.Viewer;

/// <summary>
/// The viewer page in headless Chromium (skipped when it is not installed): it loads with no console errors, draws the
/// face, and the sliders, the light and "next face" change the picture, opened from disk and served by `liftedgan view`.
/// </summary>
[Collection(ViewerFixture.Collection)]
public class ViewerBrowserTests(ViewerFixture fixture)
{
    /// <summary>Share of pixels that differ by more than 8 levels in some channel between two same-sized screenshots.</summary>
    static double Changed(byte[] a, byte[] b)
    {
        var x = ImageResult.FromMemory(a, ColorComponents.RedGreenBlue);
        var y = ImageResult.FromMemory(b, ColorComponents.RedGreenBlue);
        Assert.Equal((x.Width, x.Height), (y.Width, y.Height));
        int changed = 0;
        for (int p = 0; p < x.Width * x.Height; p++)
            if (Math.Abs(x.Data[3 * p] - y.Data[3 * p]) > 8 || Math.Abs(x.Data[3 * p + 1] - y.Data[3 * p + 1]) > 8 || Math.Abs(x.Data[3 * p + 2] - y.Data[3 * p + 2]) > 8)
                changed++;
        return (double)changed / (x.Width * x.Height);
    }

    /// <summary>Number of distinct colours in a screenshot (a blank canvas has one).</summary>
    static int Colours(byte[] png)
    {
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue);
        return Enumerable.Range(0, image.Width * image.Height).Select(p => (image.Data[3 * p] << 16) | (image.Data[3 * p + 1] << 8) | image.Data[3 * p + 2]).Distinct().Count();
    }

    static Task SetSlider(HeadlessChromium browser, string id, int value) => browser.EvaluateAsync(
        $"(() => {{ const s = document.getElementById('{id}'); s.value = '{value}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()");

    /// <summary>Clicks "next face" and waits for the face of <paramref name="seed"/>.</summary>
    static async Task Next(HeadlessChromium browser, long seed)
    {
        await browser.EvaluateAsync("document.getElementById('next').click()");
        await browser.WaitForAsync($"window.liftedViewer.seed === {seed} && !window.liftedViewer.error");
    }

    static async Task<byte[]> AssertDrawn(HeadlessChromium browser)
    {
        await browser.WaitForAsync("window.liftedViewer && (window.liftedViewer.ready || window.liftedViewer.error)");
        var error = await browser.EvaluateAsync("window.liftedViewer.error");
        Assert.True(error.ValueKind == JsonValueKind.Null, $"the page says: {error}; problems: {string.Join(" | ", browser.Problems)}");
        var shot = await browser.ScreenshotAsync("view");
        Assert.True(Colours(shot) > 50, $"the canvas looks blank ({Colours(shot)} colours)");
        return shot;
    }

    [SkippableFact]
    public async Task StaticPageFromDiskDrawsTheFaceAndTheSlidersAndNextFaceChangeThePicture()
    {
        HeadlessChromium.SkipIfMissing();
        await using var browser = await HeadlessChromium.LaunchAsync();
        await browser.NavigateAsync(new Uri(fixture.StaticPage).AbsoluteUri);
        var front = await AssertDrawn(browser);
        Assert.Equal(ViewerFixture.StaticSeeds[0], (await browser.EvaluateAsync("window.liftedViewer.seed")).GetInt64());

        await SetSlider(browser, "yaw", 40);
        var turned = await browser.ScreenshotAsync("view");
        Assert.True(Changed(front, turned) > 0.02, $"yaw 40° changed {Changed(front, turned):P1} of the picture");
        await SetSlider(browser, "light-x", -60);
        var relit = await browser.ScreenshotAsync("view");
        Assert.True(Changed(turned, relit) > 0.02, $"the light changed {Changed(turned, relit):P1} of the picture");

        await Next(browser, ViewerFixture.StaticSeeds[1]);
        var other = await browser.ScreenshotAsync("view");
        Assert.True(Changed(relit, other) > 0.02, $"the next face changed {Changed(relit, other):P1} of the picture");
        // The download links name the face's files beside the page.
        string glb = (await browser.EvaluateAsync("document.getElementById('download-glb').getAttribute('href')")).GetString()!;
        Assert.True(File.Exists(Path.Combine(fixture.StaticSite, glb)), glb);
        Assert.Empty(browser.Problems);
    }

    [SkippableFact]
    public async Task ServedPageMakesTheNextFaceOnTheServerAndItsGlbDownloadParses()
    {
        HeadlessChromium.SkipIfMissing();
        var session = new ViewerSession(fixture.Sampler, fixture.Truncation, 20, fixture.NewPath("browser-served"));
        var (app, address) = await ViewerHost.StartAsync(session, 0, TextWriter.Null);
        try
        {
            await using var browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(new Uri(address, "?yaw=-30&lightx=45").AbsoluteUri);
            var first = await AssertDrawn(browser);
            Assert.Equal(-30, (await browser.EvaluateAsync("Number(document.getElementById('yaw').value)")).GetInt32());
            await SetSlider(browser, "pitch", 25);
            var pitched = await browser.ScreenshotAsync("view");
            Assert.True(Changed(first, pitched) > 0.02, $"pitch 25° changed {Changed(first, pitched):P1} of the picture");

            await Next(browser, 21);
            var next = await browser.ScreenshotAsync("view");
            Assert.True(Changed(pitched, next) > 0.02, $"the next face changed {Changed(pitched, next):P1} of the picture");
            Assert.True(File.Exists(Path.Combine(session.SiteFolder, "faces", "seed-21", "00001.glb")), "the server did not make seed 21");

            // The page's GLB link, downloaded as a user would, parses with SharpGLTF.
            string href = (await browser.EvaluateAsync("document.getElementById('download-glb').href")).GetString()!;
            using var http = new HttpClient();
            var model = ModelRoot.ParseGLB(await http.GetByteArrayAsync(href));
            int vertices = model.LogicalMeshes.Single().Primitives.Single().GetVertexAccessor("POSITION").AsVector3Array().Count;
            Assert.Equal(session.Face(21).Vertices, vertices);
            Assert.Empty(browser.Problems);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
