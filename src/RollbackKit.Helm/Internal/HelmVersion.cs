using System.Globalization;
using System.Text.RegularExpressions;

namespace RollbackKit.Helm.Internal;

/// <summary>A helm client version, as reported by <c>helm version</c>.</summary>
internal readonly partial record struct HelmVersion(int Major, int Minor, int Patch)
{
    /// <summary>Whether this is helm 4 or later (strategy-valued <c>--wait</c>, <c>--force-replace</c>).</summary>
    public bool IsHelm4OrLater => Major >= 4;

    public override string ToString() => $"v{Major}.{Minor}.{Patch}";

    /// <summary>Parses <c>v3.17.3</c>, <c>v4.1.4+g05fa379</c> or <c>version.BuildInfo{Version:"v3.2.1", …}</c>.</summary>
    public static bool TryParse(string? text, out HelmVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = VersionPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        version = new HelmVersion(
            int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture));
        return true;
    }

    [GeneratedRegex(@"v?(\d{1,4})\.(\d{1,4})\.(\d{1,6})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex VersionPattern();
}
