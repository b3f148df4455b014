using LiftedGan.IO;
using LiftedGan.Rendering;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LiftedGan.Tests.Rendering;

/// <summary>Parity with shared/fixtures/renderer_math (official renderer maths at image size 16), one test per file.</summary>
public class RendererFixtureTests
{
    const double Tol = 1e-5;
    static readonly DepthMapRenderer R = new(new RendererOptions { ImageSize = 16 });

    static Tensor Load(string name) => Npy.Load(Shared.Fixture($"renderer_math/{name}.npy"));

    static void Close(Tensor expected, Tensor actual, double tol = Tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max();
        double d = diff.item<double>();
        Assert.True(d <= tol, $"max abs diff {d:E3} > {tol:E1}");
    }

    static Tensor Depth() => Load("depth");
    static Tensor View6() => ViewTransform.ScaleRawView(Load("view6_raw"));

    [SkippableFact] public void Intrinsics() => Close(Load("K")[0], R.Camera.Intrinsics());
    [SkippableFact] public void InverseIntrinsics() => Close(Load("inv_K")[0], R.Camera.InverseIntrinsics());
    [SkippableFact] public void PixelGridUnnormalized() => Close(Load("get_grid_unnorm"), PinholeCamera.PixelGrid(2, 3, 5, false));
    [SkippableFact] public void PixelGridNormalized() => Close(Load("get_grid_norm"), PinholeCamera.PixelGrid(2, 3, 5, true));
    [SkippableFact] public void DepthTo3dGrid() => Close(Load("depth_to_3d_grid"), R.DepthTo3dGrid(Depth()));
    [SkippableFact] public void Normals() => Close(Load("normal_from_depth"), R.Normals(Depth()));
    [SkippableFact] public void NormalsUnnormalized() => Close(Load("normal_from_depth_unnormalized"), R.Normals(Depth(), normalize: false), 1e-8);
    [SkippableFact] public void ClampBorder() => Close(Load("clamp_border"), R.ClampBorder(Depth().unsqueeze(3)));
    [SkippableFact] public void ViewConversion() => Close(Load("view6_converted"), View6());

    [SkippableTheory]
    [InlineData("view6", "view6_converted")]
    [InlineData("view5", "view5")]
    [InlineData("view3", "view3")]
    public void TransformMatrices(string tag, string input)
    {
        var view = tag == "view6" ? View6() : Load(input);
        using var t = R.Transform(view);
        Close(Load($"transform_rot_{tag}"), t.Rotation);
        Close(Load($"transform_trans_{tag}"), t.Translation);
    }

    [SkippableFact] public void Warped3dGrid() => Close(Load("warped_3d_grid"), R.WarpedGrid3d(Depth(), View6()));
    [SkippableFact] public void InverseWarped3dGrid() => Close(Load("inv_warped_3d_grid"), R.InverseWarpedGrid3d(Depth(), View6()));
    [SkippableFact] public void Warped2dGrid() => Close(Load("warped_2d_grid"), R.WarpedGrid2d(Depth(), View6()));
    [SkippableFact] public void InverseWarped2dGrid() => Close(Load("inv_warped_2d_grid"), R.InverseWarpedGrid2d(Depth(), View6()));
    [SkippableFact] public void Grid3dTo2dIsIdentityGrid() => Close(Load("grid_3d_to_2d_of_depth_to_3d_grid"), R.Camera.Grid3dTo2d(R.DepthTo3dGrid(Depth())));

    [SkippableFact]
    public void LightParsing()
    {
        using var light = Lighting.Parse(Load("light_raw"));
        Close(Load("light_a"), light.Ambient);
        Close(Load("light_b"), light.Diffuse);
        Close(Load("light_d"), light.Direction);
        using var front = Lighting.Parse(Load("light_raw"), frontalize: true);
        Close(Load("light_d_frontalized"), front.Direction, 0);
    }

    [SkippableFact]
    public void DiffuseShading()
    {
        using var light = Lighting.Parse(Load("light_raw"));
        Close(Load("diffuse_shading"), Lighting.DiffuseShading(R.Normals(Depth()), light.Direction));
    }

    [SkippableFact]
    public void CanonShadingAndShadedImage()
    {
        using var light = Lighting.Parse(Load("light_raw"));
        var shading = Lighting.Shading(R.Normals(Depth()), light);
        Close(Load("canon_shading"), shading);
        Close(Load("canon_im_shaded"), Lighting.Shade(Load("shade_im"), shading));
    }

    [SkippableFact] public void NeutralShading() => Close(Load("neutral_shading"), Lighting.NeutralShading(R.Normals(Depth())));

    [SkippableFact]
    public void DepthRescaling()
    {
        var d = linspace(-1, 1, 9);
        var depth = DepthGeometry.Rescale(d, 0.9, 1.1);
        Close(Load("depth_rescaler_of_linspace9"), depth);
        Close(Load("depth_inv_rescaler_of_linspace9"), DepthGeometry.InverseRescale(depth, 0.9, 1.1));
    }

    [SkippableFact]
    public void RotationMatrix() => Close(Load("rotation_matrix_xyz"),
        ViewTransform.RotationMatrix(tensor(new[] { 0.1f, -0.4f }), tensor(new[] { 0.3f, 0.2f }), tensor(new[] { -0.2f, 0.5f })));

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public void TextureCubes(int size) => Close(Load($"textures_tx{size}"), GridMesh.TextureCubes(Load("tex_im"), size), 1e-6);

    [SkippableFact] public void MinMaxNormalize() => Close(Load("mm_normalize"), DepthGeometry.MinMaxNormalize(Load("mm_x")));

    [SkippableTheory]
    [InlineData(2, 4, 5)]
    [InlineData(1, 3, 3)]
    public void FaceIndices(int b, int h, int w)
    {
        using var expected = Load($"face_idx_b{b}_h{h}_w{w}");
        using var actual = GridMesh.BatchedFaces(b, h, w);
        Assert.Equal(ScalarType.Int32, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>());
    }

    [SkippableFact]
    public void InputsHaveTheDocumentedShapes()
    {
        Assert.Equal(new long[] { 4, 16, 16 }, Depth().shape);
        Assert.Equal(new long[] { 4, 3, 16, 16 }, Load("shade_im").shape);
    }
}
