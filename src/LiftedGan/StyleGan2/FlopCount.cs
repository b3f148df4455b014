namespace LiftedGan.StyleGan2;

/// <summary>
/// Analytic floating-point operation counts (2 per multiply-add) of the dense layers: convolutions, transposed
/// convolutions, linear and modulation layers. FIR filters, activations and normalisations are left out (a few %).
/// </summary>
public static class FlopCount
{
    /// <summary>One generator forward for a batch of <paramref name="batch"/> z.</summary>
    public static double Generator(GeneratorConfig c, int batch)
    {
        double d = c.StyleDim, b = batch, f = 0;
        f += c.MappingLayers * 2 * b * d * d;
        double Styled(double cin, double cout, double res) => 2 * b * d * cin + 2 * b * cin * cout * 9 * res * res;
        double Rgb(double cin, double res) => 2 * b * d * cin + 2 * b * cin * 3 * res * res;
        double c4 = c.ChannelsAt(4);
        f += Styled(c4, c4, 4) + Rgb(c4, 4);
        double cin = c4;
        for (int r = 8; r <= c.Size; r *= 2)
        {
            double cout = c.ChannelsAt(r);
            f += 2 * b * d * cin + 2 * b * cin * cout * 9 * (r / 2.0) * (r / 2.0); // transposed conv on the input grid
            f += Styled(cout, cout, r) + Rgb(cout, r);
            cin = cout;
        }
        return f;
    }

    /// <summary>One discriminator forward for a batch of <paramref name="batch"/> images.</summary>
    public static double Discriminator(DiscriminatorConfig c, int batch)
    {
        double b = batch, f = 0;
        double cin = c.ChannelsAt(c.Size);
        f += 2 * b * 3 * cin * c.Size * c.Size;
        for (int r = c.Size; r > 4; r /= 2)
        {
            double cout = c.ChannelsAt(r / 2), h = r / 2.0;
            f += 2 * b * cin * cin * 9 * r * r + 2 * b * cin * cout * 9 * h * h + 2 * b * cin * cout * h * h;
            cin = cout;
        }
        double c4 = c.ChannelsAt(4);
        f += 2 * b * (cin + 1) * c4 * 9 * 16 + 2 * b * c4 * 16 * c4 + 2 * b * c4;
        return f;
    }

    /// <summary>
    /// One training step without its lazy regularisation: G forward (D step) + 2 D forward/backward + G and D
    /// forward/backward (G step), a backward costing two forwards: 4·G + 9·D.
    /// </summary>
    public static double TrainStep(GeneratorConfig g, DiscriminatorConfig d, int batch) =>
        4 * Generator(g, batch) + 9 * Discriminator(d, batch);
}
