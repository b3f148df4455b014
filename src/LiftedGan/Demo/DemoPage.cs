using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LiftedGan.IO;

namespace LiftedGan.Demo;

/// <summary>
/// The demo's <c>index.html</c>: one self-contained static page (inline CSS, no scripts, no external resources, only
/// relative links to the files beside it) with a facts list and one section per result.
/// </summary>
public static partial class DemoPage
{
    public const string FileName = "index.html";

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex Reference();

    /// <summary>Writes the page into <paramref name="outDir"/> (atomically) and returns its path.</summary>
    public static string Write(string outDir, string title, IReadOnlyList<(string Name, string Value)> facts, IReadOnlyList<DemoSection> sections,
        IReadOnlyList<string> nextSteps)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(E(title)).Append("</h1>\n<nav>");
        foreach (var s in sections) h.Append("<a href=\"#").Append(E(s.Id)).Append("\">").Append(E(s.Title)).Append("</a> ");
        h.Append("</nav>\n<dl class=\"facts\">\n");
        foreach (var (name, value) in facts) h.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd>\n");
        h.Append("</dl>\n");
        foreach (var s in sections)
        {
            h.Append("<section id=\"").Append(E(s.Id)).Append("\">\n<h2>").Append(E(s.Title)).Append("</h2>\n<p>").Append(E(s.Caption)).Append("</p>\n");
            if (s.Table is { } t)
            {
                h.Append("<table>\n<tr>");
                foreach (var c in t.Header) h.Append("<th>").Append(E(c)).Append("</th>");
                h.Append("</tr>\n");
                foreach (var row in t.Rows)
                {
                    h.Append("<tr>");
                    foreach (var c in row) h.Append("<td>").Append(E(c)).Append("</td>");
                    h.Append("</tr>\n");
                }
                h.Append("</table>\n");
            }
            var images = s.Items.Where(i => i.IsImage).ToList();
            if (images.Count > 0)
            {
                h.Append("<div class=\"figures\">\n");
                foreach (var i in images)
                    h.Append("<figure><a href=\"").Append(Url(i.Path)).Append("\"><img src=\"").Append(Url(i.Path)).Append("\" alt=\"").Append(E(i.Caption))
                        .Append("\"></a><figcaption>").Append(E(i.Caption)).Append("</figcaption></figure>\n");
                h.Append("</div>\n");
            }
            var links = s.Items.Where(i => !i.IsImage).ToList();
            if (links.Count > 0)
            {
                h.Append("<ul class=\"files\">\n");
                foreach (var i in links)
                    h.Append("<li><a href=\"").Append(Url(i.Path)).Append("\">").Append(E(i.Path)).Append("</a> — ").Append(E(i.Caption)).Append("</li>\n");
                h.Append("</ul>\n");
            }
            h.Append("</section>\n");
        }
        h.Append("<section id=\"next\">\n<h2>What to run next</h2>\n<pre>");
        foreach (var line in nextSteps) h.Append(E(line)).Append('\n');
        h.Append("</pre>\n</section>\n</body>\n</html>\n");
        string path = Path.Combine(outDir, FileName);
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(h.ToString()));
        return path;
    }

    /// <summary>Every file the page links to or shows (relative paths, in order, without in-page anchors and data: URLs).</summary>
    public static IReadOnlyList<string> ReferencedFiles(string html) =>
        Reference().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .Where(r => !r.StartsWith('#') && !r.StartsWith("data:", StringComparison.Ordinal))
            .Select(Uri.UnescapeDataString).Distinct().ToList();

    /// <summary>Throws a <see cref="DemoException"/> when a file the page references is missing or is not a relative path inside the folder.</summary>
    public static void CheckReferences(string pagePath)
    {
        string folder = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(pagePath))!);
        foreach (var r in ReferencedFiles(File.ReadAllText(pagePath)))
        {
            string full = Path.GetFullPath(Path.Combine(folder, r));
            if (r.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(r) || !full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new DemoException(pagePath, $"references '{r}', which is not a relative path inside the results folder");
            if (!File.Exists(full)) throw new DemoException(pagePath, $"references '{r}', which does not exist");
        }
    }

    static string E(string text) => WebUtility.HtmlEncode(text);

    static string Url(string relative) => string.Join('/', relative.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));

    const string Style = """
        body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; background: #fafafa; }
        h1 { margin-bottom: 0.2em; }
        nav a { margin-right: 0.8em; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; font-size: 0.9em; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        section { margin-top: 2em; border-top: 1px solid #ddd; }
        .figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
        figure { margin: 0; max-width: 100%; }
        figure img { max-width: 100%; min-width: 128px; image-rendering: pixelated; border: 1px solid #ccc; background: #fff; }
        figcaption { font-size: 0.85em; color: #555; max-width: 40em; }
        table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
        td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        pre { background: #f0f0f0; padding: 0.8em; overflow-x: auto; }

        """;
}
