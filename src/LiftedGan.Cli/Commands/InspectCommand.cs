using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LiftedGan.Checkpoints;
using Spectre.Console;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan inspect FILE [--json]`: every key of a checkpoint with shape, dtype and size, plus totals.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A .pt/.pth/.tar (PyTorch zip or legacy), .pkl (pickle) or .safetensors file." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("inspect", "List a checkpoint's tensors (key, shape, dtype, elements) and plain values.") { file, json };
        command.SetAction(parse => GlobalOptions.Execute(parse, output =>
        {
            string path = parse.GetValue(file)!;
            var value = TorchCheckpoint.Load(path);
            try
            {
                var summary = CheckpointSummary.Of(value);
                if (parse.GetValue(json)) WriteJson(output, path, summary);
                else WriteTable(output, path, summary);
            }
            finally { TorchCheckpoint.DisposeTensors(value); }
            return 0;
        }));
        return command;
    }

    static void WriteTable(TextWriter output, string path, CheckpointSummary summary)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        int keyWidth = summary.Entries.Select(e => e.Key.Length).DefaultIfEmpty(3).Max();
        console.Profile.Width = Math.Max(100, keyWidth + 70);
        console.WriteLine(path);
        var tensors = new Table().Border(TableBorder.Simple);
        tensors.AddColumn("key").AddColumn("shape").AddColumn("dtype").AddColumn(new TableColumn("elements").RightAligned());
        foreach (var e in summary.Entries.Where(e => e.IsTensor))
            tensors.AddRow(Markup.Escape(e.Key), $"[[{string.Join(", ", e.Shape!)}]]", e.DType!, e.Numel.ToString("N0", CultureInfo.InvariantCulture));
        console.Write(tensors);
        var values = summary.Entries.Where(e => !e.IsTensor).ToList();
        if (values.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("key").AddColumn("value");
            foreach (var e in values) table.AddRow(Markup.Escape(e.Key.Length == 0 ? "(root)" : e.Key), Markup.Escape(e.Value!));
            console.Write(table);
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.TensorCount} tensors, {summary.TotalElements:N0} parameters (elements), {summary.TotalBytes:N0} bytes"));
    }

    static void WriteJson(TextWriter output, string path, CheckpointSummary summary)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", path);
            w.WriteNumber("tensor_count", summary.TensorCount);
            w.WriteNumber("total_parameters", summary.TotalElements);
            w.WriteNumber("total_bytes", summary.TotalBytes);
            w.WriteStartArray("tensors");
            foreach (var e in summary.Entries.Where(e => e.IsTensor))
            {
                w.WriteStartObject();
                w.WriteString("key", e.Key);
                w.WriteStartArray("shape");
                foreach (var d in e.Shape!) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteString("dtype", e.DType);
                w.WriteNumber("numel", e.Numel);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (var e in summary.Entries.Where(e => !e.IsTensor))
            {
                w.WriteStartObject();
                w.WriteString("key", e.Key);
                w.WriteString("value", e.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
