using LiftedGan.Checkpoints;
using LiftedGan.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Training;

/// <summary>The one training loop, driven by a toy model: exact resume, kill and resume, the NaN stop, rotation, logs.</summary>
public class TrainingLoopTests
{
    static readonly CheckpointNaming Naming = new("checkpoint", "step_", 4, ".pt", Keep: 3);

    /// <summary>A linear regression trained by Adam on batches drawn from the step's generator; NaN from step <see cref="PoisonAt"/>.</summary>
    sealed class Toy : ITrainable, IDisposable
    {
        public readonly Linear Net;
        readonly AdamOptimizer _adam;

        public Toy()
        {
            using (var g = new Generator(5)) Net = LiftedGan.Torch.SeededInit.Apply(nn.Linear(4, 2), g);
            _adam = new AdamOptimizer(Net.parameters(), 0.05, 0.9, 0.999);
        }

        public long StepsDone { get; private set; }
        public long PoisonAt { get; init; } = long.MaxValue;

        public IReadOnlyDictionary<string, double> Step(Generator rng)
        {
            using var scope = NewDisposeScope();
            var x = randn(new long[] { 8, 4 }, generator: rng);
            var y = x[.., ..2] * 3 - x[.., 2..];
            var loss = (Net.forward(x) - y).pow(2).mean();
            if (StepsDone >= PoisonAt) loss = loss * double.NaN;
            _adam.ZeroGrad();
            loss.backward();
            _adam.Step();
            StepsDone++;
            return new Dictionary<string, double> { ["loss"] = loss.item<float>(), ["scale"] = 1 };
        }

        public void Save(string path)
        {
            var root = new PyDict();
            var sd = new PyDict { IsOrdered = true };
            foreach (var (k, v) in StateDict.Export(Net)) sd.Set(k, v);
            root.Set("net", sd);
            root.Set("optimizer", AdamStateDict.Export(_adam));
            root.Set("step", StepsDone);
            TorchCheckpoint.Save(path, root);
        }

        public static Toy Open(RunFolder run, long poisonAt = long.MaxValue)
        {
            var toy = new Toy { PoisonAt = poisonAt };
            if (run.LatestCheckpoint() is not { } path) return toy;
            var root = (PyDict)TorchCheckpoint.Load(path)!;
            var sd = ((PyDict)root["net"]!).ToDictionary(kv => (string)kv.Key!, kv => (Tensor)kv.Value!);
            StateDict.Load(toy.Net, sd);
            AdamStateDict.Restore(toy._adam, (PyDict)root["optimizer"]!, path, "optimizer");
            toy.StepsDone = (long)root["step"]!;
            TorchCheckpoint.DisposeTensors(root);
            return toy;
        }

        public static StepRandomness Randomness => StepRandomness.PerStep(i => StepRandomness.GoldenSeed(7, i));

        public TrainingLoop Loop(RunFolder run, long total, List<double>? losses = null) => new(this, Randomness, total)
        {
            TensorBoardDir = Path.Combine(run.Dir, "tb"),
            Csv = CsvLog.Checkpointed(Path.Combine(run.Dir, "loss.csv"), StepsDone),
            LockFile = RunLock.ForFolder(run.Dir),
            Checkpoints = new CheckpointSchedule(3, step => run.SaveCheckpoint(step, Save)),
            Progress = p => losses?.Add(p.Scalars["loss"]),
        };

        public void Dispose()
        {
            _adam.Dispose();
            Net.Dispose();
        }
    }

    /// <summary>Runs <paramref name="body"/> with two fresh run folders (uninterrupted, interrupted), then deletes both.</summary>
    static void WithTwoRuns(Action<RunFolder, RunFolder> body)
    {
        var straight = NewRun();
        var interrupted = NewRun();
        try { body(straight, interrupted); }
        finally
        {
            Directory.Delete(straight.Dir, true);
            Directory.Delete(interrupted.Dir, true);
        }
    }

    static RunFolder NewRun() => new(Directory.CreateTempSubdirectory("training-loop").FullName, Naming);

    static void AssertSameWeights(Toy a, Toy b)
    {
        var sa = StateDict.Export(a.Net);
        var sb = StateDict.Export(b.Net);
        foreach (var (k, t) in sa) Assert.True(t.equal(sb[k]).all().item<bool>(), $"{k} differs");
    }

    [Fact]
    public void ResumedRunEqualsUninterruptedRunBitForBit()
    {
        WithTwoRuns((straight, split) =>
        {
            var all = new List<double>();
            using var whole = Toy.Open(straight);
            whole.Loop(straight, 10, all).Run();

            var resumedLosses = new List<double>();
            using (var first = Toy.Open(split)) first.Loop(split, 4, resumedLosses).Run();
            Assert.EndsWith("step_0004.pt", split.LatestCheckpoint());
            using var resumed = Toy.Open(split);
            Assert.Equal(4, resumed.StepsDone);
            resumed.Loop(split, 10, resumedLosses).Run();

            Assert.Equal(all, resumedLosses);
            AssertSameWeights(whole, resumed);
            Assert.Equal(File.ReadAllText(Path.Combine(straight.Dir, "loss.csv")), File.ReadAllText(Path.Combine(split.Dir, "loss.csv")));
            Assert.Equal(11, File.ReadAllLines(Path.Combine(split.Dir, "loss.csv")).Length);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(split.Dir, "tb")));
        });
    }

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointAsIfNeverKilled()
    {
        WithTwoRuns((straight, killed) =>
        {
            using var whole = Toy.Open(straight);
            whole.Loop(straight, 9).Run();

            // The "kill": the process dies after step 5, between checkpoints 3 and 6 (its CSV rows past 3 were written to no file).
            using (var first = Toy.Open(killed))
            {
                var loop = first.Loop(killed, 9);
                loop.Hooks.Add(new StepHook(step => step == 5, (_, _) => throw new OperationCanceledException("killed")));
                Assert.Throws<OperationCanceledException>(() => loop.Run());
            }
            Assert.EndsWith("step_0003.pt", killed.LatestCheckpoint());
            Assert.Equal(4, File.ReadAllLines(Path.Combine(killed.Dir, "loss.csv")).Length);
            using var resumed = Toy.Open(killed);
            Assert.Equal(3, resumed.StepsDone);
            resumed.Loop(killed, 9).Run();

            AssertSameWeights(whole, resumed);
            Assert.Equal(File.ReadAllText(Path.Combine(straight.Dir, "loss.csv")), File.ReadAllText(Path.Combine(killed.Dir, "loss.csv")));
        });
    }

    [Fact]
    public void ANonFiniteScalarStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var run = NewRun();
        try
        {
            using var toy = Toy.Open(run, poisonAt: 4);
            var e = Assert.Throws<TrainingDivergedException>(() => toy.Loop(run, 9).Run());
            Assert.Equal(4, e.Step);
            Assert.Contains("'loss'", e.Message);
            Assert.EndsWith("step_0003.pt", run.LatestCheckpoint());
            using var reopened = Toy.Open(run);
            Assert.Equal(3, reopened.StepsDone);
            Assert.All(StateDict.Export(reopened.Net).Values, t => Assert.True(t.isfinite().all().item<bool>()));
        }
        finally { Directory.Delete(run.Dir, true); }
    }

    [Fact]
    public void CheckpointsRotateAndTheNewestIsFoundByNumber()
    {
        var run = NewRun();
        try
        {
            using var toy = Toy.Open(run);
            toy.Loop(run, 13).Run();
            var names = run.Checkpoints().Select(Path.GetFileName).ToList();
            Assert.Equal(new[] { "step_0009.pt", "step_0012.pt", "step_0013.pt" }, names);
            // More digits than the naming pads to still sort by number; other names are not checkpoints.
            File.WriteAllText(Path.Combine(run.Dir, "checkpoint", "step_10000.pt"), "");
            File.WriteAllText(Path.Combine(run.Dir, "checkpoint", "step_x.pt"), "");
            Assert.EndsWith("step_10000.pt", run.LatestCheckpoint());
            Assert.Null(new RunFolder(Path.Combine(run.Dir, "absent"), Naming).LatestCheckpoint());
        }
        finally { Directory.Delete(run.Dir, true); }
    }

    [Fact]
    public void ARunWhoseLockIsHeldStopsBeforeItsFirstStepAndWritesNothing()
    {
        var run = NewRun();
        try
        {
            using (var other = RunLock.Acquire(RunLock.ForFolder(run.Dir)))
            {
                using var toy = Toy.Open(run);
                var e = Assert.Throws<RunSetupException>(() => toy.Loop(run, 6).Run());
                Assert.Contains(".lock", e.Message);
                Assert.Contains("another training process", e.Message);
                Assert.Equal(0, toy.StepsDone);
                Assert.Null(run.LatestCheckpoint());
                Assert.Throws<RunSetupException>(() => RunLock.ThrowIfHeld(RunLock.ForFolder(run.Dir)));
                // The lock is the operating system's: another process cannot take it either.
                if (File.Exists("/usr/bin/flock")) Assert.Equal(1, Exit("/usr/bin/flock", "-n", RunLock.ForFolder(run.Dir), "true"));
            }
            // Released (also when a process dies): the run goes on, and holds the lock only while it runs.
            using var again = Toy.Open(run);
            again.Loop(run, 6).Run();
            Assert.EndsWith("step_0006.pt", run.LatestCheckpoint());
            RunLock.ThrowIfHeld(RunLock.ForFolder(run.Dir));
            if (File.Exists("/usr/bin/flock")) Assert.Equal(0, Exit("/usr/bin/flock", "-n", RunLock.ForFolder(run.Dir), "true"));
        }
        finally { Directory.Delete(run.Dir, true); }
    }

    static int Exit(string program, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { UseShellExecute = false })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [Fact]
    public void AFileIsNotAWritableRunFolder()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<RunSetupException>(() => new RunFolder(file, Naming).EnsureWritable());
            Assert.Contains("not writable", e.Message);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void PerStepRandomnessDependsOnlyOnTheStepIndexAndAStreamRunsOn()
    {
        var perStep = StepRandomness.PerStep(i => (ulong)(100 + i));
        float Draw(Generator g) => rand(new long[] { 1 }, generator: g).item<float>();
        Assert.Equal(perStep.Run(3, Draw), perStep.Run(3, Draw));
        Assert.NotEqual(perStep.Run(3, Draw), perStep.Run(4, Draw));
        using var g = new Generator(1);
        var stream = StepRandomness.Stream(g);
        Assert.NotEqual(stream.Run(0, Draw), stream.Run(0, Draw));
    }

    [Fact]
    public void MeasurementsGoToTheirCsvEveryNSteps()
    {
        var run = NewRun();
        try
        {
            using var toy = Toy.Open(run);
            var loop = new TrainingLoop(toy, Toy.Randomness, 6) { TensorBoardDir = Path.Combine(run.Dir, "tb") };
            string csv = Path.Combine(run.Dir, "probe.csv");
            loop.Hooks.Add(TrainingLoop.Measurement(2, "probe/", CsvLog.Appending(csv), () => new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 2 }));
            loop.Run();
            Assert.Equal(new[] { "step,a,b", "2,0.5,2", "4,0.5,2", "6,0.5,2" }, File.ReadAllLines(csv));
            Assert.Empty(run.Checkpoints());
        }
        finally { Directory.Delete(run.Dir, true); }
    }

    [Fact]
    public void AnAppendingLogResumedWithOtherColumnsKeepsEveryRowAligned()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"csvlog-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(csv, "step,a,b\n2,1,2\n4,3,4\n");
            var log = CsvLog.Appending(csv);
            log.Add(6, new Dictionary<string, double> { ["a"] = 5, ["c"] = 7, ["b"] = 6 });
            log.Add(8, new Dictionary<string, double> { ["c"] = 9, ["a"] = 8, ["b"] = 10 });
            Assert.Equal(new[] { "step,a,b,c", "2,1,2,", "4,3,4,", "6,5,6,7", "8,8,10,9" }, File.ReadAllLines(csv));
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void AColumnThatAppearsLaterIsAddedAndEarlierRowsLeaveItEmpty()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"csvlog-{Guid.NewGuid():N}.csv");
        try
        {
            var log = CsvLog.Appending(csv);
            log.Add(1, new Dictionary<string, double> { ["a"] = 1 });
            log.Add(2, new Dictionary<string, double> { ["a"] = 2, ["d"] = 3 });
            Assert.Equal(new[] { "step,a,d", "1,1,", "2,2,3" }, File.ReadAllLines(csv));

            var kept = CsvLog.Checkpointed(csv, 0);
            kept.Add(1, new Dictionary<string, double> { ["a"] = 1 });
            kept.Add(2, new Dictionary<string, double> { ["a"] = 2, ["d"] = 3 });
            kept.Flush();
            Assert.Equal(new[] { "step,a,d", "1,1,", "2,2,3" }, File.ReadAllLines(csv));
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void AResumedCheckpointedLogKeepsItsColumnOrder()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"csvlog-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(csv, "step,a,b\n1,1,2\n2,3,4\n3,5,6\n");
            var log = CsvLog.Checkpointed(csv, 2);
            log.Add(3, new Dictionary<string, double> { ["b"] = 8, ["c"] = 9, ["a"] = 7 });
            log.Flush();
            Assert.Equal(new[] { "step,a,b,c", "1,1,2,", "2,3,4,", "3,7,8,9" }, File.ReadAllLines(csv));
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void AdamOptimizerMatchesTorchAdamBitForBit()
    {
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var a = LiftedGan.Torch.SeededInit.Apply(nn.Linear(6, 3), g1);
        using var b = LiftedGan.Torch.SeededInit.Apply(nn.Linear(6, 3), g2);
        using var ours = new AdamOptimizer(a.parameters(), 1e-2, 0.9, 0.999, 1e-8, weightDecay: 5e-4);
        using var theirs = optim.Adam(b.parameters(), 1e-2, weight_decay: 5e-4);
        using var data = new Generator(9);
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(new long[] { 5, 6 }, generator: data);
            ours.ZeroGrad();
            a.forward(x).pow(2).sum().backward();
            ours.Step();
            theirs.zero_grad();
            b.forward(x).pow(2).sum().backward();
            theirs.step();
        }
        Assert.True(a.weight!.equal(b.weight!).all().item<bool>() && a.bias!.equal(b.bias!).all().item<bool>());
    }
}
