using System.Globalization;
using System.Net;
using LiftedGan.Viewer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace LiftedGan.Cli.Hosting;

/// <summary>
/// Serves a <see cref="ViewerSession"/> on localhost with Kestrel: the site folder as static files (the page, three.js,
/// each face's meshes and images) and <c>GET /api/face?seed=N</c>, which makes the face on first use and answers its
/// JSON. A bad seed or a library error is a 400 with <c>{"error": "..."}</c>; only the loopback address is bound.
/// </summary>
internal static class ViewerHost
{
    /// <summary>Port when none is given.</summary>
    public const int DefaultPort = 8021;

    /// <summary>Starts serving on 127.0.0.1:<paramref name="port"/> (0: any free port); returns the running app and its address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(ViewerSession session, int port, TextWriter errors)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = session.SiteFolder });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        app.MapGet("/api/face", (HttpContext http) =>
        {
            string? text = http.Request.Query["seed"];
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seed))
                return Error($"seed: '{text}': must be a whole number from 0 to {ViewerFaces.MaxSeed}");
            try { return Results.Text(session.Face(seed).ToJson(), "application/json"); }
            catch (LiftedGanException e) { return Error(e.Message); }
            catch (Exception e)
            {
                // The server keeps running; the terminal gets the whole story, the page one line.
                errors.WriteLine($"liftedgan: error while making the face of seed {seed}: {e}");
                return Error($"seed {seed}: {e.Message.ReplaceLineEndings(" / ")}", StatusCodes.Status500InternalServerError);
            }
        });

        var files = new PhysicalFileProvider(Path.GetFullPath(session.SiteFolder));
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".glb"] = "model/gltf-binary";
        types.Mappings[".obj"] = "model/obj";
        types.Mappings[".mtl"] = "model/mtl";
        types.Mappings[".ply"] = "application/octet-stream";
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = types });

        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    static IResult Error(string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = message }, statusCode: status);
}
