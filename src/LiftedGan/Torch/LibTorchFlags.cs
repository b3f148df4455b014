using System.Runtime.InteropServices;

namespace LiftedGan.Torch;

/// <summary>
/// Process-wide libtorch switches that TorchSharp does not expose, reached through exported symbols:
/// <c>at::Context::setUserEnabledMkldnn</c> / <c>setUserEnabledNNPACK</c> (libtorch_cpu) and the CPU allocator's
/// fill flags <c>FLAGS_caffe2_cpu_allocator_do_junk_fill</c> / <c>do_zero_fill</c> (libc10, plain bytes read at every
/// allocation). Junk fill makes every read of uninitialised memory produce NaN, which turns such defects into
/// deterministic failures. Binding loads TorchSharp's libtorch first and uses the very libraries it mapped.
/// </summary>
internal static class LibTorchFlags
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr GlobalContextFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void SetBoolFn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    delegate bool GetBoolFn(IntPtr context);

    static readonly Lazy<Natives> Lib = new(Bind);

    sealed record Natives(IntPtr Context, SetBoolFn SetMkldnn, GetBoolFn GetMkldnn, SetBoolFn SetNnpack,
        IntPtr JunkFill, IntPtr ZeroFill);

    static Natives Bind()
    {
        // The libraries TorchSharp itself loaded: by name alone the loader could pick another libtorch on the system
        // (e.g. a distribution's PyTorch), which lacks these symbols or has its own globals.
        TorchRuntime.EnsureLoaded();
        IntPtr cpu = NativeLibrary.Load(LoadedPath("libtorch_cpu.so"));
        IntPtr c10 = NativeLibrary.Load(LoadedPath("libc10.so"));
        T Fn<T>(string name) where T : Delegate =>
            Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(cpu, name));
        IntPtr context = Fn<GlobalContextFn>("_ZN2at13globalContextEv")();
        return new Natives(context,
            Fn<SetBoolFn>("_ZN2at7Context20setUserEnabledMkldnnEb"),
            Fn<GetBoolFn>("_ZNK2at7Context17userEnabledMkldnnEv"),
            Fn<SetBoolFn>("_ZN2at7Context20setUserEnabledNNPACKEb"),
            NativeLibrary.GetExport(c10, "FLAGS_caffe2_cpu_allocator_do_junk_fill"),
            NativeLibrary.GetExport(c10, "FLAGS_caffe2_cpu_allocator_do_zero_fill"));
    }

    /// <summary>The full path of the mapped library <paramref name="name"/> (from /proc/self/maps), else the name itself.</summary>
    static string LoadedPath(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/" + name, StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return name;
    }

    /// <summary>Whether libtorch may run convolutions through oneDNN (mkldnn).</summary>
    public static bool Mkldnn
    {
        get => Lib.Value.GetMkldnn(Lib.Value.Context);
        set => Lib.Value.SetMkldnn(Lib.Value.Context, value);
    }

    /// <summary>Disables or enables NNPACK convolutions (libtorch warns on every call where it is unsupported).</summary>
    public static void SetNnpack(bool enabled) => Lib.Value.SetNnpack(Lib.Value.Context, enabled);

    /// <summary>Fill every new CPU allocation with NaN-producing junk (for tests of uninitialised reads).</summary>
    public static bool JunkFill
    {
        get => Marshal.ReadByte(Lib.Value.JunkFill) != 0;
        set => Marshal.WriteByte(Lib.Value.JunkFill, value ? (byte)1 : (byte)0);
    }

    /// <summary>Zero every new CPU allocation (takes precedence over junk fill).</summary>
    public static bool ZeroFill
    {
        get => Marshal.ReadByte(Lib.Value.ZeroFill) != 0;
        set => Marshal.WriteByte(Lib.Value.ZeroFill, value ? (byte)1 : (byte)0);
    }
}
