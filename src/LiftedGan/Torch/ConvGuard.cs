using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace LiftedGan.Torch;

/// <summary>How convolutions are computed (set by <c>LIFTEDGAN_MKLDNN</c> = auto|on|off|guarded or <see cref="ConvGuard.SetPolicy"/>).</summary>
public enum ConvPolicy
{
    /// <summary>The start-up self-test decides: <see cref="Guarded"/> if any of its checks fails, else <see cref="On"/> (default).</summary>
    Auto,
    /// <summary>oneDNN on, no checks: libtorch's own choice for every call (for measurement only).</summary>
    On,
    /// <summary>oneDNN off for the whole process: libtorch's native convolutions (the slowest, simplest guard).</summary>
    Off,
    /// <summary>
    /// oneDNN only for convolutions outside every measured defect class (channels per group multiples of 16, NCHW
    /// input), other ungrouped convolutions with their channels zero-padded into that class; each signature proven right
    /// once by a probe (forward, gradients, second-order gradients against float64 with junk-filled allocations); where
    /// a probe fails, im2col + matrix product, which never calls oneDNN.
    /// </summary>
    Guarded,
}

/// <summary>How one convolution signature is computed under <see cref="ConvPolicy.Guarded"/>.</summary>
public enum ConvRoute
{
    /// <summary>The call as written (NCHW tensors; libtorch picks the kernel).</summary>
    Default,
    /// <summary>
    /// Input in channels-last memory format (oneDNN's NHWC kernels), output returned NCHW-contiguous. Never chosen by
    /// <see cref="ConvPolicy.Guarded"/>: it passed isolated probes for signatures whose second-order gradients it got
    /// wrong in a discriminator's R1 penalty (kept for diagnostics).
    /// </summary>
    ChannelsLast,
    /// <summary>im2col: unfold + matrix product (+ fold for transposed); no convolution kernel at all.</summary>
    Im2col,
    /// <summary>
    /// Channels zero-padded into the proven class (multiples of 16), oneDNN's NCHW kernel, the real outputs sliced out:
    /// the padded filters and input channels contribute exact zeros, and their gradients are discarded.
    /// </summary>
    Padded,
}

/// <summary>
/// The numerics guard for convolutions. libtorch 2.10's oneDNN convolutions compute wrong values on some CPUs (e.g.
/// forward with more than 16 input channels that are not a multiple of 16, transposed convolutions with one output
/// channel) and their NCHW backward reads uninitialised memory when the output channels are not a multiple of 16 (NaN
/// or wrong gradients on any CPU, depending on what the memory held). At start-up a self-test (milliseconds) runs three
/// defect classes in float32 against float64 (which never runs oneDNN), with the allocator's junk fill on so that an
/// uninitialised read shows as NaN. Under <see cref="ConvPolicy.Auto"/> (the default) any failure selects
/// <see cref="ConvPolicy.Guarded"/>: oneDNN only where channels are (or are zero-padded to) multiples of 16 and a
/// per-signature probe proved it right, im2col elsewhere. Every model convolution goes through <see cref="Conv2d"/> / <see cref="ConvTranspose2d"/>
/// (and the <see cref="GuardedConv2d"/> layers).
/// </summary>
public static class ConvGuard
{
    static readonly object Gate = new();
    static readonly ConcurrentDictionary<ConvSignature, ConvRoute> Routes = new();
    static readonly ConcurrentDictionary<ConvSignature, string> Reasons = new();
    static volatile bool _ready;
    static ConvPolicy _policy;
    static ConvPolicy _requested;
    static bool _nchwDefective;
    static readonly List<string> ReportLines = new();

    /// <summary>Relative tolerance of a probe (max abs error over max abs reference value).</summary>
    public const double Tolerance = 1e-3;

    /// <summary>The policy in force (never <see cref="ConvPolicy.Auto"/>: that resolves to on or guarded).</summary>
    public static ConvPolicy Policy { get { EnsureInitialized(); return _policy; } }

    /// <summary>The policy asked for (environment, default or <see cref="SetPolicy"/>).</summary>
    public static ConvPolicy RequestedPolicy { get { EnsureInitialized(); return _requested; } }

    /// <summary>What the start-up self-test found, one line per check, then the policy.</summary>
    public static IReadOnlyList<string> Report { get { EnsureInitialized(); lock (Gate) return ReportLines.ToArray(); } }

    /// <summary>The routes chosen so far, one per probed signature.</summary>
    public static IReadOnlyDictionary<ConvSignature, ConvRoute> ChosenRoutes => new Dictionary<ConvSignature, ConvRoute>(Routes);

    /// <summary>For signatures that fell back to im2col: which oneDNN route failed its probe, and how.</summary>
    public static IReadOnlyDictionary<ConvSignature, string> FallbackReasons => new Dictionary<ConvSignature, string>(Reasons);

    /// <summary>Pins the route of one signature (diagnostics and tests); it is not probed.</summary>
    internal static void PinRoute(ConvSignature signature, ConvRoute route) => Routes[signature] = route;

    /// <summary>Parses auto|on|off|guarded (case-insensitive); throws <see cref="ArgumentException"/> naming the value otherwise.</summary>
    public static ConvPolicy ParsePolicy(string value) => value.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => ConvPolicy.Auto,
        "on" => ConvPolicy.On,
        "off" => ConvPolicy.Off,
        "guarded" => ConvPolicy.Guarded,
        _ => throw new ArgumentException($"LIFTEDGAN_MKLDNN='{value}': expected auto, on, off or guarded"),
    };

    /// <summary>Runs the self-test and applies the policy from <c>LIFTEDGAN_MKLDNN</c> once per process.</summary>
    public static void EnsureInitialized()
    {
        if (_ready) return;
        lock (Gate)
        {
            if (_ready) return;
            var env = Environment.GetEnvironmentVariable("LIFTEDGAN_MKLDNN");
            var policy = string.IsNullOrWhiteSpace(env) ? ConvPolicy.Auto : ParsePolicy(env);
            // NNPACK is never needed (oneDNN or the native path serve float32); where it is unsupported libtorch would
            // warn on every call that considers it.
            LibTorchFlags.SetNnpack(false);
            SelfTest();
            ApplyPolicy(policy, env is null ? "default" : "LIFTEDGAN_MKLDNN");
            if (Environment.GetEnvironmentVariable("LIFTEDGAN_JUNK_FILL") == "1")
            {
                // Diagnostic: every uninitialised read anywhere in libtorch gives NaN (costs a fill per allocation).
                LibTorchFlags.JunkFill = true;
                ReportLines.Add("junk fill: on for the whole process (LIFTEDGAN_JUNK_FILL=1)");
            }
            _ready = true;
        }
    }

    /// <summary>Switches the policy at run time (benchmarks and tests compare policies in one process).</summary>
    public static void SetPolicy(ConvPolicy policy)
    {
        EnsureInitialized();
        lock (Gate) ApplyPolicy(policy, "set at run time");
    }

    static void ApplyPolicy(ConvPolicy requested, string source)
    {
        _requested = requested;
        var policy = requested == ConvPolicy.Auto ? (_nchwDefective ? ConvPolicy.Guarded : ConvPolicy.On) : requested;
        _policy = policy;
        LibTorchFlags.Mkldnn = policy != ConvPolicy.Off;
        ReportLines.RemoveAll(l => l.StartsWith("policy:", StringComparison.Ordinal));
        string what = policy switch
        {
            ConvPolicy.Guarded => (requested == ConvPolicy.Auto ? "the self-test found defective oneDNN convolutions, so guarded: " : "guarded: ") +
                                  "oneDNN only for NCHW convolutions whose channels per group are multiples of 16 (inputs below 16 " +
                                  "allowed) or are zero-padded to them, each signature proven once against float64 (forward, " +
                                  "gradients, second-order gradients, junk-filled allocations); im2col + matrix product where a " +
                                  "probe fails",
            ConvPolicy.On => requested == ConvPolicy.Auto ? "oneDNN on (the self-test found no defect)" : "on: oneDNN on, no checks (unguarded)",
            _ => "off: oneDNN off for the whole process (native convolutions)",
        };
        ReportLines.Add($"policy: {requested.ToString().ToLowerInvariant()} -> {what} [{source}]; NNPACK off");
    }

    /// <summary>
    /// Probes three known defect classes on the NCHW and the channels-last routes with oneDNN on (a few milliseconds)
    /// and records which fail: <see cref="ConvPolicy.Auto"/> then selects <see cref="ConvPolicy.Guarded"/>.
    /// </summary>
    static void SelfTest()
    {
        bool mkldnn = LibTorchFlags.Mkldnn;
        LibTorchFlags.Mkldnn = true;
        try
        {
            var checks = new (string Name, ConvSignature Sig)[]
            {
                ("forward, 20 input channels (>16, not a multiple of 16), 3x3", new(false, 20, 32, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1)),
                ("gradients, 2 output channels, 3x3", new(false, 32, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1)),
                ("transposed, 3 -> 1 channel, 3x3 stride 2", new(true, 3, 1, 1, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1)),
            };
            foreach (var (name, sig) in checks)
            {
                var nchw = Probe(sig, ConvRoute.Default);
                var cl = Probe(sig, ConvRoute.ChannelsLast);
                if (nchw is not null) _nchwDefective = true;
                ReportLines.Add($"self-test {name}: NCHW {(nchw is null ? "right" : "WRONG (" + nchw + ")")}; " +
                                $"channels-last {(cl is null ? "right" : "WRONG (" + cl + ")")}");
            }
        }
        finally { LibTorchFlags.Mkldnn = mkldnn; }
    }

    /// <summary>2-D convolution (as <c>nn.functional.conv2d</c>) computed on a route proven right for its signature.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null,
        long[]? padding = null, long[]? dilation = null, long groups = 1)
    {
        var (s, p, d) = (Pair(stride, 1), Pair(padding, 0), Pair(dilation, 1));
        var sig = new ConvSignature(false, weight.shape[1], weight.shape[0] / groups, groups, weight.shape[2], weight.shape[3],
            s[0], s[1], p[0], p[1], 0, 0, d[0], d[1]);
        var output = Run(sig, RouteFor(input, sig), input, weight, bias);
        // Each output value is a dot product over (input channels per group) x kernel.
        if (MacCounter is { } counter) counter.Add(output.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3]);
        return output;
    }

    /// <summary>Transposed 2-D convolution (as <c>nn.functional.conv_transpose2d</c>) on a route proven right.</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null,
        long[]? padding = null, long[]? outputPadding = null, long[]? dilation = null, long groups = 1)
    {
        var (s, p, o, d) = (Pair(stride, 1), Pair(padding, 0), Pair(outputPadding, 0), Pair(dilation, 1));
        var sig = new ConvSignature(true, weight.shape[0] / groups, weight.shape[1], groups, weight.shape[2], weight.shape[3],
            s[0], s[1], p[0], p[1], o[0], o[1], d[0], d[1]);
        var output = Run(sig, RouteFor(input, sig), input, weight, bias);
        // Each input value is scattered into (output channels per group) x kernel outputs.
        if (MacCounter is { } counter) counter.Add(input.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3]);
        return output;
    }

    /// <summary>Multiply-accumulates of the convolutions run on this thread while <see cref="CountMacs"/> is in force.</summary>
    public sealed class MacCount : IDisposable
    {
        public long Value { get; private set; }
        internal void Add(long macs) => Value += macs;
        public void Dispose() { if (MacCounter == this) MacCounter = null; }
    }

    [ThreadStatic] static MacCount? MacCounter;

    /// <summary>
    /// Counts the forward multiply-accumulates of every convolution the library runs on this thread until the count is
    /// disposed (benchmarks: FLOPs per part = 2 x MACs forward; a backward pass costs about twice its forward).
    /// </summary>
    public static MacCount CountMacs() => MacCounter = new MacCount();

    static long[] Pair(long[]? v, long fallback) => v is null ? [fallback, fallback] : v.Length == 1 ? [v[0], v[0]] : v;

    /// <summary>
    /// Outside every measured defect class: not transposed with fewer than 16 outputs, output channels per group a
    /// multiple of 16, input channels per group a multiple of 16 or at most 16 (NCHW forward is wrong above 16 otherwise).
    /// </summary>
    public static bool OutsideDefectClasses(ConvSignature sig) =>
        sig.OutPerGroup % 16 == 0 && (sig.InPerGroup % 16 == 0 || sig.InPerGroup <= 16) &&
        !(sig.Transposed && sig.InPerGroup % 16 != 0);

    static ConvRoute RouteFor(Tensor input, ConvSignature sig)
    {
        EnsureInitialized();
        if (_policy != ConvPolicy.Guarded || input.device_type != DeviceType.CPU || input.dtype != ScalarType.Float32)
            return ConvRoute.Default;
        if (Routes.TryGetValue(sig, out var route)) return route;
        lock (Gate)
        {
            if (Routes.TryGetValue(sig, out route)) return route;
            // oneDNN where the signature is (or is padded into) the proven class and its probe passes; im2col otherwise.
            var candidate = OutsideDefectClasses(sig) ? ConvRoute.Default : sig.Groups == 1 ? ConvRoute.Padded : ConvRoute.Im2col;
            string? why = Probe(sig, candidate);
            if (why is not null && candidate != ConvRoute.Im2col)
            {
                Reasons[sig] = $"{candidate}: {why}";
                candidate = ConvRoute.Im2col;
                why = Probe(sig, candidate);
            }
            if (why is not null)
            {
                // Not even the matrix-product route is right: the native path for everything, and say so.
                ReportLines.Add($"no route passed for {sig} (Im2col: {why}); oneDNN switched off for the process");
                ApplyPolicy(ConvPolicy.Off, "no proven route for " + sig);
                return ConvRoute.Default;
            }
            Routes[sig] = candidate;
            return candidate;
        }
    }

    static Tensor Run(ConvSignature sig, ConvRoute route, Tensor x, Tensor w, Tensor? b)
    {
        long[] s = [sig.StrideH, sig.StrideW], p = [sig.PadH, sig.PadW], d = [sig.DilationH, sig.DilationW];
        switch (route)
        {
            case ConvRoute.ChannelsLast:
            {
                using var xl = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
                using var y = sig.Transposed
                    ? nn.functional.conv_transpose2d(xl, w, b, s, p, [sig.OutPadH, sig.OutPadW], d, sig.Groups)
                    : nn.functional.conv2d(xl, w, b, s, p, d, groups: sig.Groups);
                return y.contiguous();
            }
            case ConvRoute.Im2col:
                return Im2col(sig, x, w, b);
            case ConvRoute.Padded:
                return Padded(sig, x, w, b);
            default:
                if (_policy == ConvPolicy.Guarded && x.dtype == ScalarType.Float32 && !x.is_contiguous())
                {
                    // The probe proved the NCHW kernels; a channels-last or strided input would select others.
                    using var xc = x.contiguous();
                    return sig.Transposed
                        ? nn.functional.conv_transpose2d(xc, w, b, s, p, [sig.OutPadH, sig.OutPadW], d, sig.Groups)
                        : nn.functional.conv2d(xc, w, b, s, p, d, groups: sig.Groups);
                }
                return sig.Transposed
                    ? nn.functional.conv_transpose2d(x, w, b, s, p, [sig.OutPadH, sig.OutPadW], d, sig.Groups)
                    : nn.functional.conv2d(x, w, b, s, p, d, groups: sig.Groups);
        }
    }

    /// <summary>Convolution as unfold + matmul (transposed: matmul + fold), per group; differentiable by autograd.</summary>
    static Tensor Im2col(ConvSignature sig, Tensor x, Tensor w, Tensor? b)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], h = x.shape[2], wd = x.shape[3];
        var (kh, kw) = (sig.KernelH, sig.KernelW);
        var outs = new List<Tensor>();
        for (long g = 0; g < sig.Groups; g++)
        {
            var xg = x.narrow(1, g * sig.InPerGroup, sig.InPerGroup);
            if (!sig.Transposed)
            {
                var wg = w.narrow(0, g * sig.OutPerGroup, sig.OutPerGroup);
                bool pointwise = kh == 1 && kw == 1 && sig.StrideH == 1 && sig.StrideW == 1 && sig.PadH == 0 && sig.PadW == 0;
                var cols = pointwise
                    ? xg.reshape(n, sig.InPerGroup, h * wd)
                    : nn.functional.unfold(xg, (kh, kw), (sig.DilationH, sig.DilationW), (sig.PadH, sig.PadW), (sig.StrideH, sig.StrideW));
                outs.Add(Batched(wg.reshape(sig.OutPerGroup, -1), n).bmm(cols));
            }
            else
            {
                var wg = w.narrow(0, g * sig.InPerGroup, sig.InPerGroup);
                var cols = Batched(wg.reshape(sig.InPerGroup, -1).t(), n).bmm(xg.reshape(n, sig.InPerGroup, h * wd));
                long ho = (h - 1) * sig.StrideH - 2 * sig.PadH + sig.DilationH * (kh - 1) + sig.OutPadH + 1;
                long wo = (wd - 1) * sig.StrideW - 2 * sig.PadW + sig.DilationW * (kw - 1) + sig.OutPadW + 1;
                outs.Add(nn.functional.fold(cols, (ho, wo), (kh, kw), (sig.DilationH, sig.DilationW), (sig.PadH, sig.PadW), (sig.StrideH, sig.StrideW)));
            }
        }
        var y = outs.Count == 1 ? outs[0] : cat(outs, 1);
        if (!sig.Transposed)
        {
            long ho = (h + 2 * sig.PadH - sig.DilationH * (kh - 1) - 1) / sig.StrideH + 1;
            long wo = (wd + 2 * sig.PadW - sig.DilationW * (kw - 1) - 1) / sig.StrideW + 1;
            y = y.reshape(n, -1, ho, wo);
        }
        if (b is not null) y = y + b.reshape(1, -1, 1, 1);
        return y.MoveToOuterDisposeScope();
    }

    static long Up16(long c) => (c + 15) / 16 * 16;

    /// <summary>
    /// One group, channels zero-padded into the proven class: inputs above 16 (and every transposed input) to the next
    /// multiple of 16, outputs always; then the NCHW call and the real output channels. Exact: padded filters are zero,
    /// padded inputs meet zero weights.
    /// </summary>
    static Tensor Padded(ConvSignature sig, Tensor x, Tensor w, Tensor? b)
    {
        using var scope = NewDisposeScope();
        long cin = sig.InPerGroup, cout = sig.OutPerGroup;
        long pin = sig.Transposed || cin > 16 ? Up16(cin) : cin, pout = Up16(cout);
        long[] s = [sig.StrideH, sig.StrideW], p = [sig.PadH, sig.PadW], d = [sig.DilationH, sig.DilationW];
        var xp = (pin > cin ? nn.functional.pad(x, [0, 0, 0, 0, 0, pin - cin]) : x).contiguous();
        // Weight layout: conv [out, in, kh, kw]; transposed [in, out, kh, kw]. pad() lists dims from the last backwards.
        var wp = sig.Transposed
            ? nn.functional.pad(w, [0, 0, 0, 0, 0, pout - cout, 0, pin - cin])
            : nn.functional.pad(w, [0, 0, 0, 0, 0, pin - cin, 0, pout - cout]);
        var bp = b is null ? null : nn.functional.pad(b, [0, pout - cout]);
        var y = sig.Transposed
            ? nn.functional.conv_transpose2d(xp, wp, bp, s, p, [sig.OutPadH, sig.OutPadW], d)
            : nn.functional.conv2d(xp, wp, bp, s, p, d);
        return y.narrow(1, 0, cout).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weight matrix repeated (a stride-0 view) over the batch for <c>bmm</c>: unlike <c>matmul</c>'s 2-D x 3-D case,
    /// whose kernel choice depends on whether the weight requires a gradient, this gives bitwise the same result for a
    /// trained model and its saved-and-loaded copy.
    /// </summary>
    static Tensor Batched(Tensor matrix, long n) => matrix.unsqueeze(0).expand(n, -1, -1);

    /// <summary>
    /// Checks one route for one signature: float32 forward, input/weight/bias gradients and second-order gradients
    /// (gradient penalties) against float64, twice, with junk-filled allocations. Returns null when right, else what was
    /// wrong.
    /// </summary>
    internal static string? Probe(ConvSignature sig, ConvRoute route)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        using var rng = new Generator(1234);
        long cin = sig.InPerGroup * sig.Groups, cout = sig.OutPerGroup * sig.Groups;
        long reachH = sig.DilationH * (sig.KernelH - 1) + 1, reachW = sig.DilationW * (sig.KernelW - 1) + 1;
        // Odd sizes wider than oneDNN's usual output-width blocks, so that block tails are exercised too.
        long h = sig.Transposed ? 7 : Math.Max(13, reachH - 2 * sig.PadH + 2 * sig.StrideH);
        long wd = sig.Transposed ? 15 : Math.Max(29, reachW - 2 * sig.PadW + 2 * sig.StrideW);
        var x64 = randn([2, cin, h, wd], float64, generator: rng);
        var w64 = (sig.Transposed ? randn([cin, sig.OutPerGroup, sig.KernelH, sig.KernelW], float64, generator: rng)
                                  : randn([cout, sig.InPerGroup, sig.KernelH, sig.KernelW], float64, generator: rng))
                  / Math.Sqrt(sig.InPerGroup * sig.KernelH * sig.KernelW);
        var b64 = randn([cout], float64, generator: rng);
        Tensor[] Eval(ScalarType dt, ConvRoute r)
        {
            var x = x64.to(dt).detach().requires_grad_(true);
            var w = w64.to(dt).detach().requires_grad_(true);
            var b = b64.to(dt).detach().requires_grad_(true);
            var y = Run(sig, r, x, w, b);
            using var gyRng = new Generator(4321);
            var gy = randn(y.shape, float64, generator: gyRng).to(dt).requires_grad_(true);
            // First order with a graph (R1 and path-length penalties differentiate gradients again), then second order:
            // towards the input, the weight and the incoming gradient (the last runs a forward convolution on gradients).
            var grads = autograd.grad([(y * gy).sum()], [x, w, b], retain_graph: true, create_graph: true);
            var second = grads[0].square().sum() + grads[1].square().sum();
            second.backward();
            return [y.detach().to(float64), grads[0].detach().to(float64), grads[1].detach().to(float64),
                grads[2].detach().to(float64), x.grad!.to(float64), w.grad!.to(float64), gy.grad!.to(float64)];
        }
        var reference = Eval(float64, ConvRoute.Default);
        bool junk = LibTorchFlags.JunkFill, zero = LibTorchFlags.ZeroFill;
        try
        {
            LibTorchFlags.ZeroFill = false;
            LibTorchFlags.JunkFill = true;
            string[] names = ["output", "input gradient", "weight gradient", "bias gradient", "second-order input gradient", "second-order weight gradient", "second-order gradient of the incoming gradient"];
            for (int attempt = 0; attempt < 2; attempt++)
            {
                var got = Eval(float32, route);
                for (int i = 0; i < names.Length; i++)
                {
                    double scale = reference[i].abs().max().item<double>() + 1e-6;
                    double err = (got[i] - reference[i]).abs().max().item<double>();
                    if (double.IsNaN(err) || err > Tolerance * scale)
                        return $"{names[i]} {(double.IsNaN(err) ? "NaN" : $"off by {err / scale:G2} of its scale")}";
                }
            }
            return null;
        }
        finally
        {
            LibTorchFlags.JunkFill = junk;
            LibTorchFlags.ZeroFill = zero;
        }
    }
}

/// <summary>What decides a convolution's kernel: kind, channels per group, groups, kernel, stride, padding, dilation.</summary>
public readonly record struct ConvSignature(bool Transposed, long InPerGroup, long OutPerGroup, long Groups,
    long KernelH, long KernelW, long StrideH, long StrideW, long PadH, long PadW, long OutPadH, long OutPadW,
    long DilationH, long DilationW)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{(Transposed ? "conv_transpose2d" : "conv2d")} {InPerGroup * Groups}->{OutPerGroup * Groups}" +
        (Groups > 1 ? $" groups {Groups}" : "") + $" k{KernelH}x{KernelW} s{StrideH},{StrideW} p{PadH},{PadW}" +
        (Transposed ? $" op{OutPadH},{OutPadW}" : "") + (DilationH * DilationW > 1 ? $" d{DilationH},{DilationW}" : "");
}
