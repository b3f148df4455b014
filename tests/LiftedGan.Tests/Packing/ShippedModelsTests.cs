using LiftedGan.Packing;
using Xunit;

namespace LiftedGan.Tests.Packing;

public class ShippedModelsTests
{
    [Fact]
    public void MissingModelsNameTheFileAndThePart()
    {
        var dir = Directory.CreateTempSubdirectory("liftedgan-shipped").FullName;
        try
        {
            var e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(Path.Combine(dir, "nothing")));
            Assert.Contains("models folder not found", e.Message);
            Assert.Equal(ShippedModelPart.Folder, e.Part);
            Assert.Equal(ModelsFolderSource.Given, e.FolderSource);

            e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(dir));
            Assert.Equal(Path.Combine(dir, ShippedModels.StyleGanFile), e.Path);
            Assert.Equal(ShippedModelPart.StyleGan, e.Part);
            Assert.Contains("models/README.md", e.Message);

            File.WriteAllBytes(Path.Combine(dir, ShippedModels.StyleGanFile), new byte[1]);
            e = Assert.Throws<ShippedModelException>(() => ShippedModels.Locate(dir));
            Assert.Equal(Path.Combine(dir, ShippedModels.LiftFile), e.Path);
            Assert.Equal(ShippedModelPart.Lift, e.Part);

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
        // Only this test sets the variable; every other test names the folder.
        string? before = Environment.GetEnvironmentVariable(ShippedModels.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, "/from/env");
            Assert.Equal(("/given", ModelsFolderSource.Given), ShippedModels.ChooseFolder("/given"));
            Assert.Equal(("/from/env", ModelsFolderSource.Environment), ShippedModels.ChooseFolder(null));
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, null);
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models"), ShippedModels.ChooseFolder(null).Folder);
        }
        finally { Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, before); }
    }
}
