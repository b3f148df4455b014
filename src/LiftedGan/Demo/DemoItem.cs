namespace LiftedGan.Demo;

/// <summary>One file on the demo page: an image shown inline (PNG or GIF) or a link (meshes, latents, checkpoints); the path is relative to the page.</summary>
public sealed record DemoItem(string Path, string Caption, bool IsImage = true)
{
    /// <summary>A file to download or open, shown as a link.</summary>
    public static DemoItem Link(string path, string caption) => new(path, caption, IsImage: false);
}
