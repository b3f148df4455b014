namespace LiftedGan.IO;

/// <summary>Text read from a file (names, reasons) made safe to print in a one-line error.</summary>
internal static class UntrustedText
{
    /// <summary>Control characters escaped as \xNN, at most 80 characters (then "...").</summary>
    public static string Printable(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in s.Length > 80 ? s[..80] : s)
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        if (s.Length > 80) sb.Append("...");
        return sb.ToString();
    }
}
