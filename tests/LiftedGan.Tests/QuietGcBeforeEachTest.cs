using System.Reflection;
using System.Runtime;
using Xunit.Sdk;

[assembly: LiftedGan.Tests.QuietGcBeforeEachTest]

namespace LiftedGan.Tests;

/// <summary>
/// Every test runs without garbage collections: before it, a full collection on the test thread and the finalizers
/// drained, then a no-GC region with a budget of <see cref="Budget"/> bytes of managed allocation (all threads
/// together); after it, the region ends. TorchSharp 0.107 frees an implicit <c>Scalar</c> from its finalizer, which can
/// run while a native call still reads it when a collection is triggered by another thread (docs/numerics.md,
/// "TorchSharp finalizer race"); the test host's own threads (xunit's message bus, result reporting) are such threads.
/// Inside the region no collection runs, so no finalizer can free a scalar in flight. A test that allocates more than
/// the budget ends the region with a collection and runs on as before (set <c>LIFTEDGAN_NOGC_LOG</c> to a file to have
/// such tests listed in it). Only disposing the scalars inside TorchSharp closes the race for every program.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class QuietGcBeforeEachTestAttribute : BeforeAfterTestAttribute
{
    /// <summary>Managed bytes a test may allocate before a collection ends its no-GC region.</summary>
    public const long Budget = 4L << 30;

    public override void Before(MethodInfo methodUnderTest)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.TryStartNoGCRegion(Budget);
    }

    public override void After(MethodInfo methodUnderTest)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        else if (Environment.GetEnvironmentVariable("LIFTEDGAN_NOGC_LOG") is { Length: > 0 } log)
            File.AppendAllText(log, $"{methodUnderTest.DeclaringType?.FullName}.{methodUnderTest.Name}\n");
    }
}
