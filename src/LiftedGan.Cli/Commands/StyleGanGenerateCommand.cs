using System.CommandLine;
using System.Text;
using LiftedGan.IO;
using LiftedGan.Imaging;
using LiftedGan.StyleGan2;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Cli.Commands;

/// <summary>`liftedgan stylegan generate`: images from a StyleGAN2 checkpoint (official or ours; g_ema alone is enough).</summary>
internal static class StyleGanGenerateCommand
{
    public static Command Create()
    {
        var ckpt = new Option<string>("--stylegan") { Description = "StyleGAN2 checkpoint (.pt, zip or legacy; official or ours) holding the generator.", Required = true };
        var n = new Option<int>("--n") { Description = "Number of images (ignored with --latents).", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the latents and the noise.", DefaultValueFactory = _ => 0 };
        var truncation = new Option<double>("--truncation") { Description = "ψ in (0, 1]; below 1 truncates towards the mean w.", DefaultValueFactory = _ => 1.0 };
        var meanCount = new Option<int>("--truncation-mean") { Description = "Latents averaged for the mean w.", DefaultValueFactory = _ => 4096 };
        var latents = new Option<string?>("--latents") { Description = ".npy of z (N x style) to use instead of random ones." };
        var saveNpy = new Option<string?>("--save-npy") { Description = "Also write the images (N x 3 x S x S, float32, [-1, 1]) as .npy." };
        var output = new Option<string>("--out") { Description = "Output folder for PNGs (one per image and grid.png).", DefaultValueFactory = _ => "stylegan_samples" };
        var storedNoise = new Option<bool>("--stored-noise") { Description = "Use the checkpoint's noise buffers instead of fresh noise." };
        var key = new Option<string>("--key") { Description = "Top-level checkpoint entry holding the generator.", DefaultValueFactory = _ => "g_ema" };
        var truth = new Option<bool>("--truth")
        {
            Description = "World-fit teachers at ψ 1: also write the world's exact render of each latent and its truth " +
                          "(truth_faces.png, truth_depth.png, truth_normal.png, truth_albedo.png; same grid layout).",
        };
        var cmd = new Command("generate", "Generate images from a StyleGAN2 checkpoint.")
        {
            ckpt, n, seed, truncation, meanCount, latents, saveNpy, output, storedNoise, key, truth,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, stdout =>
        {
            double psi = CliValues.Real("--truncation", parse.GetValue(truncation), 0, 1, minOpen: true);
            int count = parse.GetValue(latents) is null ? CliValues.Int(parse, n, 1, CliValues.MaxSamples) : 1;
            int meanSamples = psi < 1 ? CliValues.Int(parse, meanCount, 1, 1 << 20) : 0;
            bool withTruth = parse.GetValue(truth);
            if (withTruth && psi != 1)
                throw new UsageException($"--truth needs --truncation 1 (got {psi}): truncated samples have no exact truth");
            if (withTruth && StyleGanCheckpoint.ReadObjective(parse.GetValue(ckpt)!) != TrainObjective.WorldFit)
                throw new UsageException($"--truth: {parse.GetValue(ckpt)} is not a world-fit teacher, so its samples have no exact truth");
            using var g = StyleGanCheckpoint.LoadGenerator(parse.GetValue(ckpt)!, parse.GetValue(key)!);
            var device = Torch.TorchRuntime.Device;
            using var scope = NewDisposeScope();
            using var rng = new Generator(parse.GetValue(seed));
            using var _ = no_grad();
            Tensor z;
            if (parse.GetValue(latents) is { } zPath)
            {
                z = Npy.Load(zPath).to_type(ScalarType.Float32);
                if (z.dim() != 2 || z.shape[1] != g.Config.StyleDim)
                    throw new UsageException($"{zPath}: expected N x {g.Config.StyleDim} latents, got [{string.Join(", ", z.shape)}]");
            }
            else z = randn([count, g.Config.StyleDim], generator: rng);
            z = z.to(device);
            Tensor? mean = psi < 1 ? g.MeanLatent(meanSamples, rng) : null;
            var images = new List<Tensor>();
            for (long i = 0; i < z.shape[0]; i += 16)
            {
                var part = z.narrow(0, i, Math.Min(16, z.shape[0] - i));
                images.Add(g.Generate([part], new GenerateOptions
                {
                    Truncation = psi, TruncationLatent = mean, RandomizeNoise = !parse.GetValue(storedNoise), Rng = rng,
                }).Image.cpu());
            }
            var all = cat(images, 0);
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            for (int i = 0; i < all.shape[0]; i++) ImageIO.SavePng(Path.Combine(outDir, $"{i:D4}.png"), all[i].clamp(-1, 1));
            // The samples only (not grid.png or the truth grids): what eval fid reads from this folder.
            AtomicFile.WriteAllBytes(Path.Combine(outDir, Evaluation.FolderEvalSource.ManifestName),
                Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, (int)all.shape[0]).Select(i => $"{i:D4}.png\n"))));
            ImageIO.SavePng(Path.Combine(outDir, "grid.png"), ImageGrid.Make(all.clamp(-1, 1)));
            if (parse.GetValue(saveNpy) is { } npyPath) Npy.Save(npyPath, all);
            if (withTruth)
            {
                using var world = LiftedGan.Synthetic.LatentFaces.Truth(z.cpu(), g.Config.Size);
                LiftedGan.Synthetic.SynthPreview.WriteBatch(world, outDir, columns: (int)Math.Ceiling(Math.Sqrt(all.shape[0])), prefix: "truth_", padding: 2);
                stdout.WriteLine($"truth: world renders and maps of the same latents -> {outDir}/truth_*.png " +
                                 $"(mean L1 to the samples {(all.clamp(-1, 1) - world.Images).abs().mean().item<float>():F4})");
            }
            stdout.WriteLine($"{all.shape[0]} images of {g.Config.Size} px (style {g.Config.StyleDim}, {g.Config.MappingLayers} mapping layers, ψ {psi}) -> {outDir}");
            return 0;
        }));
        return cmd;
    }
}
