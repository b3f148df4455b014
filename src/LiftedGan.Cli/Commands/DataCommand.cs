using System.CommandLine;
using System.Globalization;
using LiftedGan.Data;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan data lfw`: real-face data preparation (docs/real-faces.md).</summary>
internal static class DataCommand
{
    public static Command Create() => new("data", "Prepare real-face data sets for training.") { Lfw() };

    static Command Lfw()
    {
        var src = new Option<string>("--src") { Description = "LFW's image folder (one folder per identity of NAME_NNNN.jpg, 250 x 250).", Required = true };
        var size = new Option<int>("--size") { Description = "Output image size: 64 or 128.", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = "Output folder: train/ and held-out/ (one folder per identity of PNGs) and split.csv.", Required = true };
        var fraction = new Option<double>("--held-out-fraction") { Description = "Fraction of identities held out (no person is in both splits).", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<long>("--seed") { Description = "Seed of the held-out identities.", DefaultValueFactory = _ => 1 };
        var command = new Command("lfw",
            $"Crop LFW to the centred box x, y {LfwPreparation.CropBox.X}..{LfwPreparation.CropBox.X + LfwPreparation.CropBox.Side} " +
            "(the whole face and a band of hair), resize, and write the folder `stylegan train --data OUT/train` reads, with a held-out split by identity.")
        {
            src, size, output, fraction, seed,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            string outDir = parse.GetValue(output)!;
            var r = LfwPreparation.Prepare(parse.GetValue(src)!, parse.GetValue(size), outDir, parse.GetValue(fraction), parse.GetValue(seed),
                (done, total) => { if (done % 1000 == 0 || done == total) stdout.WriteLine($"{done}/{total}"); });
            int held = r.Entries.Count(e => e.Split == LfwPreparation.HeldOutSplit);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Entries.Count - held} training images of {r.TrainIdentities.Count} identities, {held} held-out images of {r.HeldOutIdentities.Count} identities, {r.Size} px -> {outDir} ({LfwPreparation.ManifestName})"));
            return 0;
        }));
        return command;
    }
}
