using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace LiftedGan.Tests.Viewer;

/// <summary>
/// Headless Chromium driven over the DevTools protocol (a WebSocket, no extra package): navigate, evaluate script,
/// take screenshots, and collect every console error, uncaught exception and failed load as a problem. WebGL runs on
/// SwiftShader (software), so no GPU is needed. Tests call <see cref="SkipIfMissing"/> first.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>The browser: $LIFTEDGAN_CHROMIUM, else Debian's /usr/bin/chromium (or chromium-browser); null when none.</summary>
    public static string? Executable { get; } = Find();

    static string? Find()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("LIFTEDGAN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    /// <summary>Skips the test, saying why, when no Chromium is installed.</summary>
    public static void SkipIfMissing() =>
        Skip.If(Executable is null, "no headless Chromium (/usr/bin/chromium; Debian: apt-get install chromium, or set LIFTEDGAN_CHROMIUM): the viewer's browser tests need it");

    readonly Process process;
    readonly string profile;
    readonly ClientWebSocket socket = new();
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> pending = new();
    readonly ConcurrentQueue<string> problems = new();
    Task? receiver;
    int lastId;

    HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>Console errors, uncaught exceptions and failed loads seen so far, one line each.</summary>
    public IReadOnlyList<string> Problems => problems.ToArray();

    /// <summary>Starts the browser with one blank page of <paramref name="width"/>×<paramref name="height"/> and attaches to it.</summary>
    public static async Task<HeadlessChromium> LaunchAsync(int width = 1100, int height = 900)
    {
        string profile = Directory.CreateTempSubdirectory("liftedgan-chromium").FullName;
        var start = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                     "--hide-scrollbars", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", $"--window-size={width},{height}",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank",
                 })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            // With port 0 the browser picks one and writes it into the profile's DevToolsActivePort.
            string portFile = Path.Combine(profile, "DevToolsActivePort");
            var deadline = Stopwatch.StartNew();
            string[] lines = [];
            while (lines.Length < 2)
            {
                if (process.HasExited) throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {stderr}");
                if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"chromium wrote no DevToolsActivePort in 60 s: {stderr}");
                await Task.Delay(100);
                if (File.Exists(portFile)) lines = (await File.ReadAllTextAsync(portFile)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
            using var http = new HttpClient();
            using var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{lines[0].Trim()}/json/list"));
            string page = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page")
                .GetProperty("webSocketDebuggerUrl").GetString()!;
            await browser.socket.ConnectAsync(new Uri(page), CancellationToken.None);
            browser.receiver = Task.Run(browser.ReceiveAsync);
            await browser.SendAsync("Runtime.enable");
            await browser.SendAsync("Log.enable");
            await browser.SendAsync("Page.enable");
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one command and returns its result.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null)
    {
        int id = Interlocked.Increment(ref lastId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new { } });
        await socket.SendAsync(message, WebSocketMessageType.Text, true, stop.Token);
        return await answer.Task.WaitAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>The value of a script expression (awaiting it when it is a promise); a script error throws.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var error)) throw new InvalidOperationException($"{expression}: {error}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    /// <summary>Waits until <paramref name="condition"/> (a script expression) is true; times out with the page's status line.</summary>
    public async Task WaitForAsync(string condition, int seconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while ((await EvaluateAsync($"!!({condition})")).GetBoolean() is false)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                var status = await EvaluateAsync("document.getElementById('status') ? document.getElementById('status').textContent : document.title");
                throw new TimeoutException($"'{condition}' not true after {seconds} s; page says: {status}; problems: {string.Join(" | ", Problems)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits for the load to finish.</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new { url });
        await WaitForAsync("document.readyState === 'complete'");
    }

    /// <summary>A PNG of the element with id <paramref name="id"/> as shown, after two more animation frames.</summary>
    public async Task<byte[]> ScreenshotAsync(string id)
    {
        await EvaluateAsync("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        var box = await EvaluateAsync($"(() => {{ const b = document.getElementById('{id}').getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }})()");
        var r = box.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var shot = await SendAsync("Page.captureScreenshot", new { format = "png", clip = new { x = r[0], y = r[1], width = r[2], height = r[3], scale = 1 } });
        return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
    }

    async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var part = await socket.ReceiveAsync(buffer, stop.Token);
                if (part.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                using (var document = JsonDocument.Parse(message.ToArray())) Dispatch(document.RootElement);
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        foreach (var waiting in pending.Values) waiting.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    void Dispatch(JsonElement root)
    {
        if (root.TryGetProperty("id", out var id))
        {
            if (!pending.TryRemove(id.GetInt32(), out var answer)) return;
            if (root.TryGetProperty("error", out var error)) answer.TrySetException(new InvalidOperationException($"DevTools: {error}"));
            else answer.TrySetResult(root.GetProperty("result").Clone());
            return;
        }
        var p = root.TryGetProperty("params", out var given) ? given : default;
        switch (root.TryGetProperty("method", out var m) ? m.GetString() : null)
        {
            case "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() is "error" or "assert":
                Problem("console: " + string.Join(' ', p.GetProperty("args").EnumerateArray()
                    .Select(a => a.TryGetProperty("value", out var v) ? v.ToString() : a.TryGetProperty("description", out var d) ? d.GetString() : a.ToString())));
                break;
            case "Runtime.exceptionThrown":
                var details = p.GetProperty("exceptionDetails");
                Problem("uncaught: " + (details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var text) ? text.GetString() : details.GetProperty("text").GetString()));
                break;
            case "Log.entryAdded" when p.GetProperty("entry").GetProperty("level").GetString() == "error":
                var entry = p.GetProperty("entry");
                Problem($"log ({entry.GetProperty("source").GetString()}): {entry.GetProperty("text").GetString()} {(entry.TryGetProperty("url", out var url) ? url.GetString() : "")}");
                break;
        }
    }

    /// <summary>Records a problem; SwiftShader's "GL Driver Message" performance notes are not problems.</summary>
    void Problem(string line)
    {
        if (!line.Contains("GL Driver Message", StringComparison.Ordinal)) problems.Enqueue(line);
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
        if (receiver is not null) await receiver.ContinueWith(_ => { });
        socket.Dispose();
        process.Dispose();
        stop.Dispose();
        for (int attempt = 0; attempt < 5 && Directory.Exists(profile); attempt++)
        {
            try { Directory.Delete(profile, true); }
            catch (IOException) { await Task.Delay(200); }
        }
    }
}
