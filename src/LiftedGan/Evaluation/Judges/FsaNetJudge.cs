using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace LiftedGan.Evaluation.Judges;

/// <summary>
/// FSA-Net head pose (Yang et al., CVPR 2019) as an independent judge: a network trained elsewhere, on real photographs
/// (300W-LP), run through ONNX Runtime on the CPU. The ONNX files are Omar Hassan's PyTorch re-implementation
/// (models/judges/PROVENANCE.md); that README's published MAE on AFLW2000 for the averaged pair is yaw 4.64°,
/// pitch 6.10°, roll 4.79° (<see cref="PublishedMae"/>).
/// <para>
/// Preprocessing, as the re-implementation's demo feeds its networks: a face crop resized to 64 x 64 (bilinear), BGR
/// channel order, channels first, (v − 127.5) / 128 on 8-bit levels v. Here images arrive as (B, 3, S, S) RGB in
/// [−1, 1]: they are resized (antialiased bilinear where S is not 64), the channels reversed and scaled by
/// 127.5 / 128. Each network answers (yaw, pitch, roll) in degrees; with two networks the answer is their mean.
/// </para>
/// <para>
/// Sign conventions: FSA-Net's positive yaw turns the nose to the image left and positive pitch raises it (the face
/// looks up), as its drawing code reads them. The project's view (<c>ViewTransform</c>) moves the nose to the image left
/// for positive yaw and down for positive pitch, so <see cref="Predict"/> returns (pitch, yaw, roll) =
/// (−pitch_FSA, yaw_FSA, roll_FSA · <see cref="RollSign"/>), in the layout of a lift's view angles. All three signs are
/// checked against the world-fit teacher's exact truth: the judge's angles correlate positively with the true ones
/// (docs/real-faces.md); a mirrored image flips yaw and roll and keeps pitch.
/// </para>
/// </summary>
public sealed class FsaNetJudge : IDisposable
{
    /// <summary>The networks' input side in pixels.</summary>
    public const int InputSize = 64;

    /// <summary>Sign that maps FSA-Net's roll onto the project's roll.</summary>
    public const int RollSign = 1;

    /// <summary>Published mean absolute error (degrees) of the averaged pair on AFLW2000: yaw, pitch, roll.</summary>
    public static readonly (double Yaw, double Pitch, double Roll) PublishedMae = (4.64, 6.10, 4.79);

    /// <summary>What <see cref="PublishedMae"/> is, in words.</summary>
    public const string PublishedMaeSource =
        "AFLW2000 MAE of the 1x1 + var pair, omasaht/headpose-fsanet-pytorch README (the original FSA-Net paper reports 4.50/6.08/4.64 for its own models)";

    readonly List<InferenceSession> _sessions = [];
    readonly List<(string Input, string Output, int FixedBatch)> _io = [];

    /// <summary>Opens the ONNX files <paramref name="paths"/> (one or more; their answers are averaged).</summary>
    public FsaNetJudge(IReadOnlyList<string> paths, int threads = 1)
    {
        if (paths.Count == 0) throw new EvaluationException("judge", "no ONNX file given");
        Paths = paths;
        try
        {
            foreach (var path in paths)
            {
                if (!File.Exists(path)) throw new EvaluationException(path, "judge ONNX file does not exist");
                using var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1 };
                InferenceSession session;
                try { session = new InferenceSession(path, options); }
                catch (OnnxRuntimeException e) { throw new EvaluationException(path, $"not a readable ONNX model ({e.Message.Split('\n')[0]})"); }
                _sessions.Add(session);
                var input = session.InputMetadata.Single();
                var output = session.OutputMetadata.First();
                var dims = input.Value.Dimensions;
                if (dims.Length != 4 || dims[1] != 3 || dims[2] != InputSize || dims[3] != InputSize)
                    throw new EvaluationException(path, $"input {input.Key} is [{string.Join(", ", dims)}]; an FSA-Net judge takes [B, 3, {InputSize}, {InputSize}]");
                if (output.Value.Dimensions.LastOrDefault() != 3)
                    throw new EvaluationException(path, $"output {output.Key} is [{string.Join(", ", output.Value.Dimensions)}]; an FSA-Net judge answers (yaw, pitch, roll)");
                _io.Add((input.Key, output.Key, dims[0] > 0 ? dims[0] : 0));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The ONNX files.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>
    /// The FSA-Net networks' raw answers for (B, 3, S, S) RGB images in [−1, 1]: (B, 3) float32 (yaw, pitch, roll) in
    /// FSA-Net's own convention, averaged over the networks.
    /// </summary>
    public Tensor PredictRaw(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new EvaluationException("images", $"expected (B, 3, S, S), got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.detach().cpu().to(ScalarType.Float32).clamp(-1, 1);
        if (x.shape[2] != InputSize || x.shape[3] != InputSize)
            x = nn.functional.interpolate(x, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        x = (x.flip(1) * (127.5 / 128)).contiguous();
        int n = (int)x.shape[0], per = 3 * InputSize * InputSize;
        var data = x.data<float>().ToArray();
        var sum = new float[n * 3];
        for (int k = 0; k < _sessions.Count; k++)
        {
            var (inputName, outputName, fixedBatch) = _io[k];
            int chunk = fixedBatch > 0 ? fixedBatch : n;
            for (int start = 0; start < n; start += chunk)
            {
                int m = Math.Min(chunk, n - start);
                var block = new float[chunk * per];
                Array.Copy(data, start * per, block, 0, m * per);
                using var input = OrtValue.CreateTensorValueFromMemory(block, [chunk, 3, InputSize, InputSize]);
                using var runOptions = new RunOptions();
                using var outputs = _sessions[k].Run(runOptions, [inputName], [input], [outputName]);
                var answer = outputs[0].GetTensorDataAsSpan<float>();
                for (int i = 0; i < 3 * m; i++) sum[3 * start + i] += answer[i];
            }
        }
        return (tensor(sum, [n, 3]) / _sessions.Count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Head pose of (B, 3, S, S) RGB images in [−1, 1]: (B, 3) float32 degrees in the layout and signs of a lift's view
    /// angles, (pitch, yaw, roll).
    /// </summary>
    public Tensor Predict(Tensor images)
    {
        using var scope = NewDisposeScope();
        var raw = PredictRaw(images);
        var ours = stack([-raw[.., 1], raw[.., 0], raw[.., 2] * RollSign], 1);
        return ours.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var s in _sessions) s.Dispose();
        _sessions.Clear();
    }
}
