using LiftedGan.IO;
using LiftedGan.Torch;
using TorchSharp;

namespace LiftedGan.Checkpoints;

/// <summary>
/// Writes PyTorch's zip checkpoint format: <c>archive/data.pkl</c> (protocol-2 pickle), <c>archive/byteorder</c>,
/// one <c>archive/data/&lt;key&gt;</c> per storage and <c>archive/version</c> (3), atomically.
/// </summary>
internal static class TorchZipWriter
{
    public static void Write(string path, object? value)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var storages = new StorageTable(ValueGraph.Tensors(value), path);
        var pickle = new PickleWriter(storages, path).Write(value);
        using var stream = AtomicFile.Create(path, out var commit);
        var zip = new StoredZipWriter(stream, path);
        zip.Add("archive/data.pkl", pickle);
        zip.Add("archive/byteorder", "little"u8.ToArray());
        foreach (var entry in storages.Entries)
        {
            using var data = entry.Data();
            var crc = new Crc32();
            TensorBytes.Visit(data, crc.Append);
            zip.Add($"archive/data/{entry.Key}", data.numel() * entry.Type.Size, crc.Value, s => TensorBytes.Write(s, data));
        }
        zip.Add("archive/version", "3\n"u8.ToArray());
        zip.Finish();
        commit();
    }
}
