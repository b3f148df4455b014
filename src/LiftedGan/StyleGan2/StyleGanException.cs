namespace LiftedGan.StyleGan2;

/// <summary>Bad input for the StyleGAN2 area (checkpoint, dataset, option); the message names the file or argument.</summary>
public sealed class StyleGanException(string message, Exception? inner = null) : LiftedGanException(message, inner);
