using TorchSharp;

namespace LiftedGan.Torch;

/// <summary>libtorch could not be loaded; the message says what was tried and what is missing.</summary>
public sealed class TorchLoadException(string message, Exception? inner) : LiftedGanException(message, inner);

/// <summary>
/// Process-wide torch settings: native loading, compute device and thread count. Call <see cref="Initialize"/>
/// once at start-up; library entry points call <see cref="EnsureLoaded"/> before their first tensor.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _loaded;
    static torch.Device? _device;

    /// <summary>The device every model and tensor of the toolkit is created on (default cpu).</summary>
    public static torch.Device Device
    {
        get { EnsureLoaded(); lock (Gate) return _device ??= ParseDevice(Environment.GetEnvironmentVariable("LIFTEDGAN_DEVICE") ?? "cpu"); }
    }

    /// <summary>Loads libtorch (applying the native fix first) or throws <see cref="TorchLoadException"/>.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded) return;
            NativeBootstrap.Apply();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                _loaded = true;
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or BadImageFormatException or InvalidOperationException)
            {
                var inner = e;
                while (inner.InnerException != null) inner = inner.InnerException;
                throw new TorchLoadException(
                    "libtorch could not be loaded (TorchSharp-cpu 0.107 / libtorch 2.10).\n" +
                    $"  error: {inner.Message}\n" +
                    "  native bootstrap:\n    " + string.Join("\n    ", NativeBootstrap.Report) + "\n" +
                    $"  needed: a libstdc++ with {NativeBootstrap.MissingVersion} or a writable build output folder " +
                    "(the bootstrap marks that version need weak in libLibTorchSharp.so), and the libtorch-cpu-linux-x64 natives restored.", e);
            }
        }
    }

    /// <summary>Settings from the CLI or a host: device ("cpu", "cuda", "cuda:1") and intra-op threads (0 = libtorch default).</summary>
    public static void Initialize(string device = "cpu", int threads = 0)
    {
        EnsureLoaded();
        var parsed = ParseDevice(device);
        lock (Gate) _device = parsed;
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "thread count must be >= 0");
        if (threads > 0) torch.set_num_threads(threads);
        // The numerics guard acts before any model computes (its self-test takes milliseconds).
        ConvGuard.EnsureInitialized();
    }

    /// <summary>Parses and validates a device name; cuda needs a CUDA build of TorchSharp (swap the package).</summary>
    public static torch.Device ParseDevice(string name)
    {
        EnsureLoaded();
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{name}': CUDA is not available (a CPU build of TorchSharp, or no usable CUDA device; docs/gpu.md says how to build with a CUDA bundle)");
            return new torch.Device(n);
        }
        throw new ArgumentException($"device '{name}': expected cpu, cuda or cuda:N");
    }
}
