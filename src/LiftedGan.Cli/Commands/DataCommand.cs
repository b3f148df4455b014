using System.CommandLine;
using System.Globalization;
using LiftedGan.Data;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan data lfw`: real-face data preparation (docs/real-faces.md).</summary>
internal static class DataCommand
{
    public static Command Create() => new("data", "Prepare real-face data sets for training.") { Lfw(), Balance() };

    static Command Balance()
    {
        var poses = new Option<string>("--poses") { Description = "A pose judge's angles per image: the CSV that eval pose --images prints (file,yaw,pitch,roll).", Required = true };
        var output = new Option<string>("--out") { Description = "The sampling-weights CSV (file,weight) for stylegan train --sample-weights.", Required = true };
        var column = new Option<string[]>("--column")
        {
            Description = "The angle(s) to balance: yaw, pitch or roll; several (e.g. yaw pitch) are balanced jointly.",
            DefaultValueFactory = _ => ["yaw"], AllowMultipleArgumentsPerToken = true,
        };
        var binWidth = new Option<double>("--bin-width") { Description = "Bin width in degrees (bins centred on 0).", DefaultValueFactory = _ => 5 };
        var power = new Option<double>("--power") { Description = "Weight = (1 / bin count)^power: 0 keeps the data's distribution, 1 draws every occupied bin equally often.", DefaultValueFactory = _ => 1 };
        var maxWeight = new Option<double>("--max-weight") { Description = "Cap on a weight, as a multiple of the mean (keeps a few lone extreme images from every batch).", DefaultValueFactory = _ => 10 };
        var command = new Command("balance",
            "Sampling weights that make a StyleGAN2's real images turn more: images are weighted by the inverse count of their angle's bin (a judge's angles, " +
            "e.g. FSA-Net's through eval pose --images), capped; prints the angle's spread and tails before and after.")
        {
            poses, output, column, binWidth, power, maxWeight,
        };
        command.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            var cols = parse.GetValue(column)!;
            foreach (var c in cols)
                if (c is not ("yaw" or "pitch" or "roll")) throw new UsageException($"--column {c}: expected yaw, pitch or roll");
            if (cols.Distinct().Count() != cols.Length) throw new UsageException("--column: an angle is named twice");
            var rows = SampleWeights.ReadAngles(parse.GetValue(poses)!, cols);
            var b = SampleWeights.Balance(rows.Select(r => r.Angles).ToList(), parse.GetValue(binWidth), parse.GetValue(power), parse.GetValue(maxWeight));
            SampleWeights.Write(parse.GetValue(output)!, rows.Select(r => r.File).ToList(), b.Weights);
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv, $"{rows.Count} images, balanced on {string.Join(" and ", cols)}: as the data holds them -> as weighted draws"));
            for (int c = 0; c < cols.Length; c++)
            {
                var (u, wd) = (b.Uniform[c], b.Weighted[c]);
                stdout.WriteLine(string.Create(inv, $"  {cols[c]} spread (std) {u.Std,6:F2}° -> {wd.Std:F2}°, beyond ±15° {100 * u.Beyond15:F1} % -> {100 * wd.Beyond15:F1} %, beyond ±30° {100 * u.Beyond30:F1} % -> {100 * wd.Beyond30:F1} %"));
            }
            stdout.WriteLine(string.Create(inv, $"  largest weight {b.Weights.Max():F2} (mean 1) -> {parse.GetValue(output)}"));
            return 0;
        }));
        return command;
    }

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
