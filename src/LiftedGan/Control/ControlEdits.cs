using LiftedGan.Synthetic;
using static TorchSharp.torch;

namespace LiftedGan.Control;

/// <summary>Faces from explicit factor values, single-factor edits and sweeps of a trained <see cref="ControlGenerator"/>.</summary>
public static class ControlEdits
{
    /// <summary>
    /// One code: identity, expression, light, pose and the rest drawn from the prior with <paramref name="seed"/>, then
    /// each named parameter set to its value (<see cref="ControlCode.Set"/>).
    /// </summary>
    public static Tensor Code(int noiseDims, long seed, IReadOnlyDictionary<string, double> values)
    {
        using var rng = new Generator((ulong)seed);
        var code = ControlCode.Sample(1, noiseDims, rng);
        foreach (var (name, value) in values) ControlCode.Set(code, name, value);
        return code;
    }

    /// <summary><paramref name="count"/> copies of <paramref name="code"/> (1 × D) with only <paramref name="factor"/> redrawn (seeded); the first is the original.</summary>
    public static Tensor Resample(Tensor code, ControlFactor factor, int count, long seed)
    {
        if (code.dim() != 2 || code.shape[0] != 1) throw new ControlException("code", "one code (1 × D) is edited at a time");
        if (count < 2) throw new ControlException("count", $"{count}: at least 2 (the original and one edit)");
        using var rng = new Generator((ulong)seed);
        var many = code.repeat(count, 1);
        var edited = ControlCode.Resample(many, factor, rng);
        edited[0] = code[0];
        return edited;
    }

    /// <summary><paramref name="frames"/> copies of <paramref name="code"/> with parameter <paramref name="name"/> swept evenly over its range (others kept).</summary>
    public static Tensor Sweep(Tensor code, string name, int frames)
    {
        if (frames < 2) throw new ControlException("frames", $"{frames}: a sweep needs at least 2");
        var parameter = FaceParameters.Find(name) ?? throw new ControlException(name, "not a face-model parameter");
        var many = code.repeat(frames, 1);
        // Stay 2% inside the range (the prior's Φ never reaches the ends exactly).
        double lo = parameter.Min + 0.02 * (parameter.Max - parameter.Min), hi = parameter.Max - 0.02 * (parameter.Max - parameter.Min);
        for (int k = 0; k < frames; k++)
            ControlCode.Set(many.narrow(0, k, 1), name, lo + (hi - lo) * k / (frames - 1));
        return many;
    }

    /// <summary>Images of codes in [-1, 1] with no gradient, in batches of 16: the generator's and the face model's render.</summary>
    public static (Tensor Generated, Tensor Rendered) Images(ControlGenerator generator, Tensor code)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generated = new List<Tensor>();
        var rendered = new List<Tensor>();
        for (long start = 0; start < code.shape[0]; start += 16)
        {
            var part = code.narrow(0, start, Math.Min(16, code.shape[0] - start));
            using var render = ControlCode.Render(part, generator.Config.Size);
            generated.Add(generator.Generate(part, render).clamp(-1, 1));
            rendered.Add(render.Images.clone());
        }
        return (cat(generated.ToArray(), 0).MoveToOuterDisposeScope(), cat(rendered.ToArray(), 0).MoveToOuterDisposeScope());
    }
}
