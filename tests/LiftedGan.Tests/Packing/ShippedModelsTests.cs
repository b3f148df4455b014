using LiftedGan.Packing;
using Xunit;

namespace LiftedGan.Tests.Packing;

public class ShippedModelsTests
{
    [Fact]
    public void MissingModelsNameTheFileAndTheCommandThatMakesIt()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-shipped").FullName;
        try
        {
            var e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(Path.Combine(dir, "nothing")));
            Assert.Contains("models folder not found", e.Message);
            Assert.Contains("--models", e.Message);

            e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(dir));
            Assert.Equal(Path.Combine(dir, ShippedModels.StyleGanFile), e.Path);
            Assert.Contains($"liftedgan pack sg64/checkpoint/NNNNNN.pt --fp16 --out {Path.Combine(dir, ShippedModels.StyleGanFile)}", e.Message);

            File.WriteAllBytes(Path.Combine(dir, ShippedModels.StyleGanFile), new byte[1]);
            e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(dir));
            Assert.Equal(Path.Combine(dir, ShippedModels.LiftFile), e.Path);
            Assert.Contains("liftedgan lift --stylegan", e.Message);

            File.WriteAllBytes(Path.Combine(dir, ShippedModels.LiftFile), new byte[1]);
            e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(dir));
            Assert.Equal(Path.Combine(dir, ShippedModels.IdentityFile), e.Path);

            File.WriteAllBytes(Path.Combine(dir, ShippedModels.IdentityFile), new byte[1]);
            var found = ShippedModels.Locate(dir);
            Assert.Equal(Path.Combine(dir, "liftedgan_config.json"), found.LiftConfig);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FolderComesFromTheOptionThenTheEnvironmentThenTheProgramFolder()
    {
        // Only this test sets the variable; every other test passes --models.
        string? before = Environment.GetEnvironmentVariable(ShippedModels.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, "/from/env");
            Assert.Equal(("/given", "--models"), ShippedModels.ChooseFolder("/given"));
            Assert.Equal("/from/env", ShippedModels.ChooseFolder(null).Folder);
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, null);
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models"), ShippedModels.ChooseFolder(null).Folder);
        }
        finally { Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, before); }
    }
}
