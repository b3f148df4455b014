using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>
/// Float64 gradient check: the analytic gradient (loss.backward(), then .grad — never autograd.grad, whose errors
/// abort the process) against central finite differences of every element of each input.
/// </summary>
internal static class GradCheck
{
    /// <summary>
    /// Compares d loss / d input for each input. <paramref name="loss"/> builds a scalar from the inputs;
    /// <paramref name="state"/> (optional) returns something that must stay equal under every perturbation (e.g.
    /// the face index map), so a check never straddles a discontinuity. Returns the number of elements checked.
    /// </summary>
    public static int Check(Func<Tensor[], Tensor> loss, Tensor[] inputs, Func<Tensor[], Tensor>? state = null,
        double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5)
    {
        foreach (var x in inputs) Assert.Equal(ScalarType.Float64, x.dtype);
        var leaves = inputs.Select(x => x.detach().clone().requires_grad_(true)).ToArray();
        using (var l = loss(leaves)) l.backward();
        var analytic = leaves.Select(l => l.grad is null ? zeros_like(l) : l.grad.clone()).ToArray();
        using var reference = state is null ? null : WithoutGrad(() => state(inputs));
        int checkedCount = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var flat = inputs[k].detach().clone().reshape(-1);
            var numeric = zeros_like(flat);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double v = flat[i].item<double>();
                double Eval(double value)
                {
                    flat[i] = value;
                    var args = inputs.Select((x, j) => j == k ? flat.view(inputs[k].shape) : x).ToArray();
                    return WithoutGrad(() =>
                    {
                        if (reference is not null)
                        {
                            using var s = state!(args);
                            Assert.True(s.shape.SequenceEqual(reference.shape) && s.eq(reference).all().item<bool>(), $"input {k} element {i}: the perturbation changed the rasterised state");
                        }
                        using var l = loss(args);
                        return l.item<double>();
                    });
                }
                double plus = Eval(v + eps), minus = Eval(v - eps);
                flat[i] = v;
                numeric[i] = (plus - minus) / (2 * eps);
                checkedCount++;
            }
            var a = analytic[k].reshape(-1);
            var err = (a - numeric).abs() - (numeric.abs() * rtol + atol);
            var worst = err.argmax().item<long>();
            Assert.True(err.max().item<double>() <= 0,
                $"input {k} element {worst}: analytic {a[worst].item<double>():E6} vs numeric {numeric[worst].item<double>():E6}");
        }
        return checkedCount;
    }

    static T WithoutGrad<T>(Func<T> f)
    {
        using var _ = no_grad();
        return f();
    }
}
