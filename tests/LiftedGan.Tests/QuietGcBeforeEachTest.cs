using System.Reflection;
using Xunit.Sdk;

[assembly: LiftedGan.Tests.QuietGcBeforeEachTest]

namespace LiftedGan.Tests;

/// <summary>
/// Before every test, a full collection on the test thread (no native call in flight) and the finalizers drained.
/// TorchSharp 0.107 frees an implicit <c>Scalar</c> from its finalizer, which can run while a native call still reads
/// it when a collection is triggered by another thread (docs/numerics.md, "TorchSharp finalizer race"). Collections
/// triggered by the test thread itself are harmless (it is then in managed code, not in the call). The other threads
/// of a test run (xunit's message bus, the test host's result reporting) allocate mostly at test boundaries; with the
/// allocation budget just reset they rarely cross it, so a collection during a test almost always comes from the
/// test thread. This narrows the race; it cannot close it (only disposing the scalars in TorchSharp can).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class QuietGcBeforeEachTestAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
